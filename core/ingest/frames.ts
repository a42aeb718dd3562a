// What one frame or response from a price source means, once parsed: shared by the exchange and
// Alpha Vantage parsers. Pure: no I/O, no clock (the time a frame arrived comes in as an argument).
import type { Tick } from '../contracts/index.js';

/** An observation shaped like a Tick, not yet validated (the ingestor does that). */
// A mapped copy of the interface: as a plain object type it can be handed over as a record.
export type TickCandidate = Pick<Tick, keyof Tick>;

export type FrameEvent =
  | { readonly kind: 'tick'; readonly tick: TickCandidate }
  /** Top of book without a trade: updates the bid/ask attached to later ticks. */
  | { readonly kind: 'quote'; readonly symbol: string; readonly bid?: number; readonly ask?: number }
  | { readonly kind: 'heartbeat'; readonly symbol?: string }
  /** Messages were missed or replayed (sequence numbers say so): logged and counted, not fatal. */
  | { readonly kind: 'gap'; readonly symbol: string; readonly detail: string }
  | { readonly kind: 'subscribed'; readonly detail: string }
  /** The exchange's own status (online, maintenance...). */
  | { readonly kind: 'status'; readonly ok: boolean; readonly detail: string }
  /** The exchange refused something (a subscription): not our input's fault, reported in status. */
  | { readonly kind: 'error'; readonly detail: string }
  /** Not parseable, or not the documented shape: goes to the DLQ as 'malformed'. */
  | { readonly kind: 'malformed'; readonly detail: string }
  /** Well formed but of no use to us (another channel, a pong). */
  | { readonly kind: 'ignored' };

export function malformed(detail: string): FrameEvent {
  return { kind: 'malformed', detail };
}

/** Parses JSON text into an object, or explains why it is not one. */
export function parseObject(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; detail: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, detail: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, detail: 'not a JSON object' };
  return { ok: true, value: value as Record<string, unknown> };
}

const DECIMAL = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/**
 * A number sent as a JSON number or a decimal string (exchanges send prices as strings so as not to
 * lose digits). Undefined when absent or null; NaN when present but not a finite decimal.
 */
export function decimal(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  if (typeof value === 'string' && DECIMAL.test(value.trim())) {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : Number.NaN;
  }
  return Number.NaN;
}

/** RFC 3339 / ISO 8601 time with a zone, to epoch ms; NaN when it is not one. Sub-ms digits are dropped. */
export function isoTime(value: unknown): number {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return Number.NaN;
  // Date.parse reads at most milliseconds reliably: cut longer fractions (exchanges send microseconds).
  const trimmed = value.replace(/(\.\d{3})\d+/, '$1');
  return Date.parse(trimmed);
}
