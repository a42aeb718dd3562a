// The `stock.ticks.dlq` messages: input the ingestor or the processor refused, with the reason and
// the raw value (cut at a bound), so nothing is lost silently and nothing unbounded is kept.

export const MAX_DLQ_VALUE_CHARS = 10_000;

/** The raw input cut at MAX_DLQ_VALUE_CHARS; `truncatedFrom` gives its length when it was cut. */
export function clippedValue(text: string): { readonly value: string; readonly truncatedFrom?: number } {
  return text.length > MAX_DLQ_VALUE_CHARS
    ? { value: `${text.slice(0, MAX_DLQ_VALUE_CHARS)}…`, truncatedFrom: text.length }
    : { value: text };
}

/** Refused at the front door: the same fields as the processor's where they mean the same. */
export interface IngestDeadLetter {
  readonly reason: string;
  readonly detail: string;
  readonly source: string;
  /** The symbol when the input named a well-formed one, else null. */
  readonly key: string | null;
  readonly value: string;
  readonly truncatedFrom?: number;
  readonly receivedAt: number;
}

/** Refused by the processor (a message on the ticks topic that is not a tick). */
export interface ProcessDeadLetter {
  readonly reason: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: string;
  readonly truncatedFrom?: number;
}
