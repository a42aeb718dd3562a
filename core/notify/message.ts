// What a notification says: a title, a plain-text and an HTML body (email), a short text (SMS) and
// the template values (webhooks), for one signal or a digest of several, in the subscriber's zone.
import type { IndicatorValues } from '../indicators/indicator-set.js';
import type { Notice } from './notice.js';
import { localTime } from './quiet-hours.js';
import { escapeHtml, type TemplateValues } from './template.js';

export interface Message {
  readonly title: string;
  readonly text: string;
  readonly html: string;
  readonly sms: string;
  readonly values: TemplateValues;
}

export interface Audience {
  readonly subscriber: string;
  readonly timeZone: string;
  readonly vars?: Readonly<Record<string, string>>;
}

const SMS_MAX = 320;
const INDICATOR_LABELS: ReadonlyArray<[keyof IndicatorValues, string]> = [
  ['rsi', 'RSI'],
  ['sma', 'SMA'],
  ['ema', 'EMA'],
  ['macd', 'MACD'],
  ['macdSignal', 'MACD signal'],
  ['macdHist', 'MACD hist'],
  ['bbUpper', 'BB upper'],
  ['bbMiddle', 'BB middle'],
  ['bbLower', 'BB lower'],
];

/** Control characters (header and line injection) and bidirectional overrides (spoofed text) become spaces. */
export function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ');
}

export function formatPrice(value: number): string {
  return Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(6);
}

function indicatorPairs(indicators: IndicatorValues): Array<[string, string]> {
  return INDICATOR_LABELS.filter(([field]) => indicators[field] !== null).map(([field, label]) => [label, formatPrice(indicators[field]!)]);
}

function headline(notice: Notice): string {
  // An alert is news about the price, not advice: it never says buy or sell.
  if (notice.kind === 'alert') return `ALERT ${notice.symbol} at ${formatPrice(notice.price)}: ${clean(notice.rule)}`;
  return `${notice.side.toUpperCase()} ${notice.symbol} at ${formatPrice(notice.price)}`;
}

function shortZone(ts: number, timeZone: string): string {
  return localTime(ts, timeZone).slice(11);
}

/** One message for the notices, oldest first; more than one makes a digest. */
export function composeMessage(notices: readonly Notice[], audience: Audience): Message {
  if (notices.length === 0) throw new Error('a message needs at least one signal');
  const latest = notices[notices.length - 1]!;
  const zone = audience.timeZone;
  const buys = notices.filter((n) => n.side === 'buy').length;
  const symbols = [...new Set(notices.map((n) => n.symbol))].join(', ');
  const title =
    notices.length === 1
      ? `Stock Stream: ${headline(latest)}`
      : `Stock Stream: ${notices.length} signals (${buys} buy, ${notices.length - buys} sell) for ${symbols}`;

  const textBlocks = notices.map((n) => {
    const lines = [`${headline(n)}`, `time: ${localTime(n.ts, zone)}`, `rule: ${clean(n.rule)}`];
    if (n.reason !== '') lines.push(`reason: ${clean(n.reason)}`);
    const pairs = indicatorPairs(n.indicators);
    if (pairs.length > 0) lines.push(`indicators (${clean(n.timeframe)} candles): ${pairs.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    lines.push(`signal id: ${n.id}`);
    return lines.join('\n');
  });
  const text = `${textBlocks.join('\n\n')}\n\nTimes are in ${zone}. Not financial advice.\n`;

  const htmlBlocks = notices.map((n) => {
    const rows: Array<[string, string]> = [
      ['time', localTime(n.ts, zone)],
      ['price', formatPrice(n.price)],
      ['rule', clean(n.rule)],
      ...(n.reason !== '' ? [['reason', clean(n.reason)] as [string, string]] : []),
      ['timeframe', clean(n.timeframe)],
      ...indicatorPairs(n.indicators),
    ];
    const color = n.side === 'buy' ? '#1a7f37' : '#cf222e';
    return (
      `<h2 style="color:${color}">${escapeHtml(headline(n))}</h2>\n<table>\n` +
      rows.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n') +
      `\n</table>`
    );
  });
  const html = `<!doctype html>\n<html><body>\n${htmlBlocks.join('\n<hr>\n')}\n<p><small>Times are in ${escapeHtml(zone)}. Not financial advice.</small></p>\n</body></html>\n`;

  const smsBody =
    notices.length === 1
      ? `Stock Stream: ${headline(latest)}, ${shortZone(latest.ts, zone)}. ${clean(latest.reason)}`
      : `Stock Stream: ${notices.length} signals (${buys} buy, ${notices.length - buys} sell). Latest: ${headline(latest)}, ${shortZone(latest.ts, zone)}`;
  const sms = smsBody.length > SMS_MAX ? `${smsBody.slice(0, SMS_MAX - 1)}…` : smsBody.trimEnd();

  const value = (field: keyof IndicatorValues) => (latest.indicators[field] === null ? '' : formatPrice(latest.indicators[field]!));
  const values: TemplateValues = {
    title,
    text: text.trimEnd(),
    count: String(notices.length),
    subscriber: audience.subscriber,
    id: latest.id,
    symbol: latest.symbol,
    side: latest.side,
    price: formatPrice(latest.price),
    rule: clean(latest.rule),
    reason: clean(latest.reason),
    timeframe: clean(latest.timeframe),
    time: localTime(latest.ts, zone),
    isoTime: new Date(latest.ts).toISOString(),
    sma: value('sma'),
    ema: value('ema'),
    rsi: value('rsi'),
    macd: value('macd'),
    macdSignal: value('macdSignal'),
    macdHist: value('macdHist'),
    bbUpper: value('bbUpper'),
    bbMiddle: value('bbMiddle'),
    bbLower: value('bbLower'),
    vars: audience.vars ?? {},
  };
  return { title, text, html, sms, values };
}
