// What the ingestor does with one observation from a source: forward it as a tick (noting when it is
// late), drop it as an exact duplicate, or reject it with a reason code. Memory is bounded per symbol.
import { checkTick, type Tick } from '../../core/contracts/index.js';
import type { RejectReason } from './source.js';

export interface ValidationLimits {
  /** The symbols this installation follows; any other is 'unknown-symbol'. */
  readonly symbols: readonly string[];
  /** A tick later than now + this is 'future'. */
  readonly maxClockSkewMs: number;
  /** A tick older than now - this is 'too-old'; undefined for a replayed file, which keeps its own times. */
  readonly maxAgeMs: number | undefined;
  /** Recent ticks remembered per symbol to recognise an exact duplicate (default 1024). */
  readonly dedupeWindow?: number;
}

export type Verdict =
  | { readonly kind: 'accept'; readonly tick: Tick; readonly value: string; readonly late: boolean }
  | { readonly kind: 'duplicate'; readonly tick: Tick }
  | { readonly kind: 'reject'; readonly reason: RejectReason; readonly detail: string };

interface SymbolMemory {
  readonly seen: Set<string>;
  readonly ring: string[];
  next: number;
  newestTs: number;
}

export class TickValidator {
  private readonly symbols: ReadonlySet<string>;
  private readonly window: number;
  private readonly memory = new Map<string, SymbolMemory>();

  constructor(private readonly limits: ValidationLimits) {
    this.symbols = new Set(limits.symbols);
    this.window = Math.max(1, limits.dedupeWindow ?? 1024);
  }

  check(candidate: unknown, now: number): Verdict {
    const checked = checkTick(candidate);
    if (!checked.ok) return reject('invalid', checked.reason);
    const tick = checked.tick;
    if (!this.symbols.has(tick.symbol))
      return reject('unknown-symbol', `${tick.symbol} is not among the configured symbols (${[...this.symbols].join(', ')})`);
    const latest = now + this.limits.maxClockSkewMs;
    if (tick.ts > latest)
      return reject('future', `ts ${tick.ts} is ${tick.ts - now} ms ahead of this clock (allowed: ${this.limits.maxClockSkewMs} ms)`);
    const maxAge = this.limits.maxAgeMs;
    if (maxAge !== undefined && tick.ts < now - maxAge)
      return reject('too-old', `ts ${tick.ts} is ${now - tick.ts} ms old (allowed: ${maxAge} ms)`);
    // The clean tick has its fields in one order, so equal ticks serialise to equal strings.
    const value = JSON.stringify(tick);
    let memory = this.memory.get(tick.symbol);
    if (!memory) this.memory.set(tick.symbol, (memory = { seen: new Set(), ring: [], next: 0, newestTs: Number.NEGATIVE_INFINITY }));
    if (memory.seen.has(value)) return { kind: 'duplicate', tick };
    if (memory.ring.length < this.window) memory.ring.push(value);
    else {
      memory.seen.delete(memory.ring[memory.next]!);
      memory.ring[memory.next] = value;
    }
    memory.next = (memory.next + 1) % this.window;
    memory.seen.add(value);
    const late = tick.ts < memory.newestTs;
    if (!late) memory.newestTs = tick.ts;
    return { kind: 'accept', tick, value, late };
  }
}

function reject(reason: RejectReason, detail: string): Verdict {
  return { kind: 'reject', reason, detail };
}
