// A signal as the notifier reads it from the signals topic: untrusted JSON checked into a clean
// record (the aggregator's check plus the indicator values that the messages show).
import { checkSignal, type RecordCheck, type SignalSummary } from '../contracts/index.js';
import { RAW_FIELDS, type IndicatorValues } from '../indicators/indicator-set.js';

export interface Notice extends SignalSummary {
  readonly indicators: IndicatorValues;
}

export function checkNotice(value: unknown, latestTs: number = Number.POSITIVE_INFINITY): RecordCheck<Notice> {
  const check = checkSignal(value, latestTs);
  if (!check.ok) return check;
  const raw = (value as Record<string, unknown>).indicators;
  if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw)))
    return { ok: false, reason: 'indicators: must be an object' };
  const indicators: Record<string, number | null> = {};
  for (const field of RAW_FIELDS) {
    const v = (raw as Record<string, unknown> | undefined)?.[field];
    if (v === undefined || v === null) indicators[field] = null;
    else if (typeof v === 'number' && Number.isFinite(v)) indicators[field] = v;
    else return { ok: false, reason: `indicators.${field}: must be a finite number or null` };
  }
  return { ok: true, value: { ...check.value, indicators: indicators as unknown as IndicatorValues } };
}

/** Recommendations and alerts reach people; crossings (a condition that changed no stance) do not. */
export function isNotified(notice: Pick<Notice, 'kind'>): boolean {
  return notice.kind !== 'crossing';
}
