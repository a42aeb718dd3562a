// A PriceSource written for tests: it hands the ingestor a scripted list of observations and
// rejections (awaiting each, as a real source must), then ends or, when `live`, waits to be aborted.
import type { PriceSource, RejectReason, SourceSink, SourceStatus } from '../../../cluster/ingest/source.js';

export type Step =
  | { readonly observe: Readonly<Record<string, unknown>>; readonly raw?: string }
  | { readonly reject: string; readonly reason: RejectReason; readonly detail: string };

export class ScriptedSource implements PriceSource {
  readonly name: string;
  private readonly queue: Step[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  lastMessageAt = 0;
  statusOverride: Partial<SourceStatus> = {};

  constructor(options: { name?: string; steps?: readonly Step[]; live?: boolean } = {}) {
    this.name = options.name ?? 'test';
    this.queue.push(...(options.steps ?? []));
    this.ended = options.live !== true;
  }

  /** Adds steps to a live source. */
  push(...steps: Step[]): void {
    this.queue.push(...steps);
    this.wake?.();
  }

  /** Lets a live source end once its queue is empty. */
  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async run(sink: SourceSink, signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.wake?.(), { once: true });
    while (!signal.aborted) {
      const step = this.queue.shift();
      if (step === undefined) {
        if (this.ended) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      this.lastMessageAt = Date.now();
      if ('observe' in step) await sink.observe(step.observe, step.raw ?? JSON.stringify(step.observe));
      else await sink.reject(step.reject, step.reason, step.detail);
    }
  }

  status(): SourceStatus {
    return { ok: true, detail: 'scripted', lastMessageAt: this.lastMessageAt, simulated: false, ...this.statusOverride };
  }
}

export const observe = (tick: Readonly<Record<string, unknown>>, raw?: string): Step =>
  raw === undefined ? { observe: tick } : { observe: tick, raw };
