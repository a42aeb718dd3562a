// An upper bound of the processor's state snapshot size, from the configuration alone, so that a
// configuration whose state cannot fit in one bus message is refused at start rather than on the
// day its ring buffers fill up (a refused snapshot fails its batch, which is then redelivered forever).
import { SymbolPipeline, type PipelineSettings } from './pipeline.js';

/** The most UTF-8 bytes a JSON number takes ("-1.2345678901234567e-308" is 24). */
export const NUMBER_BYTES = 25;
/** Fixed text of one rule's reason besides its config's names and levels, with up to three formatted numbers. */
const REASON_TEXT_BYTES = 256;
/** A null that may later hold an object of numbers (a forming candle) or a pending trigger (plus its reason). */
const NULL_OBJECT_BYTES = 10 * (NUMBER_BYTES + 16);
/** A non-empty string may be swapped for another of its kind ("flat" for "long"). */
const STRING_SLACK_BYTES = 8;

/** UTF-8 length of a string (the core has no TextEncoder or Buffer): a surrogate pair's halves count 2 each. */
function bytes(text: string): number {
  let total = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    total += code < 0x80 ? 1 : code < 0x800 || (code >= 0xd800 && code < 0xe000) ? 2 : 3;
  }
  return total;
}

/**
 * The most UTF-8 bytes `JSON.stringify(new SymbolPipeline(symbol, settings).snapshot())` can ever
 * take. It walks a fresh pipeline's snapshot, which already has its final shape (every ring buffer
 * is allocated whole, every list has one entry per condition, alert or child rule), and counts each
 * number at its widest, each null as something that may fill it, and each empty string (a reason
 * not yet known) at the longest reason the strategy can write.
 */
export function symbolSnapshotBound(symbol: string, settings: PipelineSettings): number {
  const reasonBytes = longestReasonBytes(settings);
  return jsonBound(new SymbolPipeline(symbol, settings).snapshot(), reasonBytes);
}

/**
 * The bound of one partition's snapshot (cluster/process/processor.ts) when every one of `symbols`
 * lands in that partition, as they may: its envelope, its key, and each symbol's pipeline.
 */
export function partitionSnapshotBound(symbols: readonly string[], settings: PipelineSettings, ticksTopic: string): number {
  return symbolEntryBounds([...new Set(symbols)], settings).reduce((sum, bound) => sum + bound, partitionEnvelopeBound(ticksTopic));
}

/** {"version":1,"topic":"…","partition":N,"nextOffset":"N","symbols":{}} and the key "pN". */
export function partitionEnvelopeBound(ticksTopic: string): number {
  return 100 + bytes(JSON.stringify(ticksTopic)) + 2 * NUMBER_BYTES;
}

/**
 * Each symbol's share of a partition snapshot: its key and its pipeline's bound. Symbols differ
 * only by their name and the alerts that apply to them, so one pipeline is walked per set of alerts
 * (a check over hundreds of symbols with long periods stays quick).
 */
export function symbolEntryBounds(symbols: readonly string[], settings: PipelineSettings): number[] {
  const walked = new Map<string, { symbol: string; bound: number }>();
  return symbols.map((symbol) => {
    const alerts = (settings.alerts ?? []).map((alert) => alert.symbols === undefined || alert.symbols.includes(symbol));
    const key = alerts.map((applies) => (applies ? 1 : 0)).join('');
    let done = walked.get(key);
    if (done === undefined) walked.set(key, (done = { symbol, bound: symbolSnapshotBound(symbol, settings) }));
    const name = bytes(JSON.stringify(symbol));
    return name + 2 + done.bound + name - bytes(JSON.stringify(done.symbol));
  });
}

// A reason names rules and quotes their levels (both in the strategy's JSON) around fixed text;
// a combination's reason joins its children's, so every rule's text may appear in one reason.
function longestReasonBytes(settings: PipelineSettings): number {
  const strategy = JSON.stringify(settings.strategy);
  return 2 + 2 * bytes(strategy) + REASON_TEXT_BYTES * (1 + countObjects(settings.strategy));
}

function countObjects(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + countObjects(item), 0);
  if (value !== null && typeof value === 'object')
    return 1 + Object.values(value).reduce((sum: number, item) => sum + countObjects(item), 0);
  return 0;
}

function jsonBound(value: unknown, reasonBytes: number, key = ''): number {
  // Only a rule's pending trigger holds text besides the empty reasons of combinations.
  if (value === null) return NULL_OBJECT_BYTES + (key === 'pending' ? reasonBytes : 0);
  switch (typeof value) {
    case 'number':
      return NUMBER_BYTES;
    case 'boolean':
      return 5;
    case 'string':
      return value === '' ? reasonBytes : bytes(JSON.stringify(value)) + STRING_SLACK_BYTES;
    case 'object': {
      if (Array.isArray(value)) return 2 + value.reduce((sum: number, item) => sum + jsonBound(item, reasonBytes) + 1, 0);
      let total = 2;
      for (const [key, item] of Object.entries(value)) {
        if (item !== undefined) total += bytes(JSON.stringify(key)) + 2 + jsonBound(item, reasonBytes, key);
      }
      return total;
    }
    default:
      // undefined is left out of JSON; nothing else belongs in a snapshot.
      return 0;
  }
}
