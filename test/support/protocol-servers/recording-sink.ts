// A SourceSink that records what a source hands over, and a logger whose lines a test can read.
import type { RejectReason, SourceSink } from '../../../cluster/ingest/source.js';
import { createLogger, type Logger } from '../../../platform/log.js';

export class RecordingSink implements SourceSink {
  readonly observed: Array<{ candidate: Record<string, unknown>; raw: string }> = [];
  readonly rejected: Array<{ raw: string; reason: RejectReason; detail: string }> = [];

  observe(candidate: Readonly<Record<string, unknown>>, raw: string): void {
    this.observed.push({ candidate: { ...candidate }, raw });
  }

  reject(raw: string, reason: RejectReason, detail: string): void {
    this.rejected.push({ raw, reason, detail });
  }

  get ticks(): Record<string, unknown>[] {
    return this.observed.map((entry) => entry.candidate);
  }
}

export interface CapturedLogger {
  readonly logger: Logger;
  readonly lines: string[];
  records(): Array<Record<string, unknown>>;
}

export function capturedLogger(): CapturedLogger {
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}
