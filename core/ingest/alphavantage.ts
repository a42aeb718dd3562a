// Alpha Vantage CURRENCY_EXCHANGE_RATE (https://www.alphavantage.co/documentation/#currency-exchange):
// the request's query, one response body turned into a rate or a typed error, and the poll interval
// a plan allows. Errors come back as HTTP 200 with a `Note`, `Information` or `Error Message` key.
import { decimal, parseObject, type TickCandidate } from './frames.js';

export const ALPHAVANTAGE_SOURCE = 'alphavantage';
/** The free tier: 25 requests a day. */
export const FREE_REQUESTS_PER_DAY = 25;

export type AlphaVantageResult =
  | { readonly kind: 'rate'; readonly tick: TickCandidate; readonly lastRefreshed: string }
  /** `Note` (the older rate-limit message) or `Information` (today's rate-limit and plan message). */
  | { readonly kind: 'rate-limited'; readonly detail: string }
  /** `Error Message`: a bad key, symbol or parameter; retrying soon will not help. */
  | { readonly kind: 'api-error'; readonly detail: string }
  | { readonly kind: 'malformed'; readonly detail: string };

/** The query parameters of one request (the key is added by the caller and never logged). */
export function alphaVantageQuery(symbol: string): Record<string, string> {
  const [from = '', to = ''] = symbol.split('-');
  return { function: 'CURRENCY_EXCHANGE_RATE', from_currency: from, to_currency: to };
}

export function parseAlphaVantageBody(text: string, symbol: string): AlphaVantageResult {
  const parsed = parseObject(text);
  if (!parsed.ok) return { kind: 'malformed', detail: parsed.detail };
  const body = parsed.value;
  if (typeof body.Note === 'string') return { kind: 'rate-limited', detail: `Note: ${body.Note}`.slice(0, 300) };
  if (typeof body.Information === 'string') return { kind: 'rate-limited', detail: `Information: ${body.Information}`.slice(0, 300) };
  if (typeof body['Error Message'] === 'string')
    return { kind: 'api-error', detail: `Error Message: ${body['Error Message']}`.slice(0, 300) };
  const rate = body['Realtime Currency Exchange Rate'];
  if (typeof rate !== 'object' || rate === null || Array.isArray(rate))
    return { kind: 'malformed', detail: 'no "Realtime Currency Exchange Rate"' };
  const fields = rate as Record<string, unknown>;
  const [from, to] = symbol.split('-');
  if (fields['1. From_Currency Code'] !== from || fields['3. To_Currency Code'] !== to) {
    return { kind: 'malformed', detail: `not the rate of ${symbol}` };
  }
  const price = decimal(fields['5. Exchange Rate']);
  if (price === undefined || Number.isNaN(price)) return { kind: 'malformed', detail: '"5. Exchange Rate" is not a decimal' };
  const lastRefreshed = fields['6. Last Refreshed'];
  const zone = fields['7. Time Zone'];
  if (typeof lastRefreshed !== 'string' || zone !== 'UTC')
    return { kind: 'malformed', detail: '"6. Last Refreshed" missing or "7. Time Zone" not UTC' };
  const ts = utcTime(lastRefreshed);
  if (Number.isNaN(ts)) return { kind: 'malformed', detail: `"6. Last Refreshed" is not a time: ${lastRefreshed.slice(0, 40)}` };
  const bid = decimal(fields['8. Bid Price']);
  const ask = decimal(fields['9. Ask Price']);
  // Bid and ask are optional extras: a "-" or empty one is left out rather than failing the rate.
  const tick: TickCandidate = {
    symbol,
    price,
    ts,
    source: ALPHAVANTAGE_SOURCE,
    ...(bid === undefined || Number.isNaN(bid) ? {} : { bid }),
    ...(ask === undefined || Number.isNaN(ask) ? {} : { ask }),
  };
  return { kind: 'rate', tick, lastRefreshed };
}

/** "2023-11-30 21:43:02" in UTC to epoch ms; NaN when it is not that shape. */
function utcTime(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (match === null) return Number.NaN;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return Number.NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

export interface PollPlan {
  /** Seconds between two rounds of requests (one request per symbol per round). */
  readonly intervalSeconds: number;
  /** The fastest the plan allows, for the same number of symbols. */
  readonly planSeconds: number;
  /** Set when an explicit interval asks for more than the plan allows. */
  readonly warning?: string;
}

/**
 * The poll interval: the plan's limit (the tighter of requests a day and a minute; the free tier's
 * 25 a day when neither is set), spread over the symbols, unless `explicitSeconds` (MESSAGE_INTERVAL)
 * says otherwise.
 */
export function pollPlan(options: {
  readonly requestsPerDay?: number | undefined;
  readonly requestsPerMinute?: number | undefined;
  readonly explicitSeconds?: number | undefined;
  readonly symbols: number;
}): PollPlan {
  const perDay = options.requestsPerDay ?? (options.requestsPerMinute === undefined ? FREE_REQUESTS_PER_DAY : undefined);
  const bySeconds = [
    perDay === undefined ? 0 : 86_400 / perDay,
    options.requestsPerMinute === undefined ? 0 : 60 / options.requestsPerMinute,
  ];
  const planSeconds = Math.max(...bySeconds) * Math.max(1, options.symbols);
  if (options.explicitSeconds === undefined) return { intervalSeconds: planSeconds, planSeconds };
  if (options.explicitSeconds >= planSeconds) return { intervalSeconds: options.explicitSeconds, planSeconds };
  return {
    intervalSeconds: options.explicitSeconds,
    planSeconds,
    warning:
      `MESSAGE_INTERVAL ${options.explicitSeconds} s asks for more requests than the plan allows ` +
      `(one round of ${options.symbols} request(s) every ${planSeconds} s at most); expect rate-limit answers`,
  };
}

/**
 * `text` with every occurrence of the API key replaced (Alpha Vantage's messages quote it back).
 * With `cut`, the text was cut off at its end, so a key split by the cut is redacted too: the
 * longest end of the text that begins the key goes.
 */
export function redactKey(text: string, key: string, cut = false): string {
  const whole = text.split(key).join('[redacted]');
  if (!cut) return whole;
  for (let length = Math.min(key.length - 1, whole.length); length > 0; length--) {
    if (whole.endsWith(key.slice(0, length))) return `${whole.slice(0, whole.length - length)}[redacted]`;
  }
  return whole;
}
