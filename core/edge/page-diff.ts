// Which SSD1306 pages (8-row bands) differ between two frames, so only those are sent over I2C.
import { pageCount, type Frame } from './frame.js';

/** Indexes of the pages that differ; every page when there is no previous frame or the size changed. */
export function changedPages(previous: Frame | undefined, next: Frame): number[] {
  const pages = pageCount(next);
  const all = Array.from({ length: pages }, (_, page) => page);
  if (!previous || previous.width !== next.width || previous.height !== next.height) return all;
  return all.filter((page) => {
    const start = page * next.width;
    for (let i = start; i < start + next.width; i++) if (previous.bytes[i] !== next.bytes[i]) return true;
    return false;
  });
}

export interface PageRun {
  readonly first: number;
  readonly last: number;
}

/** Consecutive pages merged, so one page-address command and one data write cover each run. */
export function pageRuns(pages: readonly number[]): PageRun[] {
  const runs: PageRun[] = [];
  for (const page of pages) {
    const last = runs[runs.length - 1];
    if (last && last.last === page - 1) runs[runs.length - 1] = { first: last.first, last: page };
    else runs.push({ first: page, last: page });
  }
  return runs;
}
