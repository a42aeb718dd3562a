// The Strategy view in a real browser (Debian's Chromium through playwright-core) against the web role
// on the embedded log and SQLite: the rules in words, the stance, the backtest over the store's history
// and over a chosen history file, every figure and trade shown equal to the endpoint's answer, the
// equity chart drawn, the hypothetical label, and a phone-width layout. Screenshots in test-artifacts/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Tick } from '../../core/contracts/index.js';
import { historyDir } from '../../web/server/dashboard.js';
import { openBrowser, type TestBrowser } from '../support/browser.js';
import { eventually } from '../support/wait.js';
import { seedIndicators, seedStore, startWeb, type WebFixture } from '../support/web.js';

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');
const HOUR = 3_600_000;

let web: WebFixture;
let browser: TestBrowser | undefined;
let page: Page;
let url: string;

/** Hourly prices swinging through their Bollinger bands, so the default strategy (Bollinger reversion on 1h) trades. */
function hourly(count: number, end: number, phase = 0): Tick[] {
  return Array.from({ length: count }, (_, i) => ({
    symbol: 'BTC-USD',
    ts: end - (count - 1 - i) * HOUR,
    price: Math.round((97_000 + 2500 * Math.sin((i + phase) / 6) + 900 * Math.sin((i + phase) / 1.7) - 5 * i) * 100) / 100,
    source: 'coinbase',
    volume: 1,
  }));
}

// The figures as the page must write them (the same digits as `replay`'s report).
const gain = (x: number | null) => (x === null ? 'n/a' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)} %`);
const fall = (x: number) => `${x > 0 ? '-' : ''}${(x * 100).toFixed(2)} %`;
const share = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)} %`);
const ratio = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));
const duration = (ms: number | null) =>
  ms === null
    ? 'n/a'
    : ms < HOUR
      ? `${(ms / 60_000).toFixed(0)} min`
      : ms < 86_400_000
        ? `${(ms / HOUR).toFixed(1)} h`
        : `${(ms / 86_400_000).toFixed(1)} d`;

interface Answer {
  report: Record<string, number | null | boolean | string>;
  trades: Array<{ return: number; open: boolean }>;
  curve: unknown[];
}

function expectedTexts(report: Answer['report']): Record<string, string> {
  const n = (key: string) => report[key] as number | null;
  return {
    totalReturn: gain(n('totalReturn')),
    buyAndHoldReturn: gain(n('buyAndHoldReturn')),
    maxDrawdown: fall(n('maxDrawdown')!),
    buyAndHoldMaxDrawdown: fall(n('buyAndHoldMaxDrawdown')!),
    trades: `${n('trades')}${report.openTrade ? ' (last still open)' : ''}`,
    recommendations: String(n('recommendations')),
    winRate: share(n('winRate')),
    averageTrade: gain(n('averageTrade')),
    medianTrade: gain(n('medianTrade')),
    bestTrade: gain(n('bestTrade')),
    worstTrade: gain(n('worstTrade')),
    profitFactor: ratio(n('profitFactor')),
    exposure: share(n('exposure')),
    averageHoldingMs: duration(n('averageHoldingMs')),
    sharpe: ratio(n('sharpe')),
    sortino: ratio(n('sortino')),
    candles: String(n('candles')),
    feePercent: `${n('feePercent')} %`,
    slippagePercent: `${n('slippagePercent')} %`,
  };
}

/** Every figure on the page equals the endpoint's: its raw value and its text; the trades and the curve too. */
async function assertShows(answer: Answer): Promise<void> {
  const shown = await page.evaluate<Array<{ key: string; value: string; text: string }>>(
    `[...document.querySelectorAll('#bt-figures dd')].map((e) => ({ key: e.dataset.key, value: e.dataset.value, text: e.textContent }))`,
  );
  const expected = expectedTexts(answer.report);
  assert.equal(
    shown.map((f) => f.key),
    Object.keys(expected),
  );
  for (const figure of shown) {
    const raw = answer.report[figure.key];
    assert.is(figure.value, raw === null ? '' : String(raw), `${figure.key} value`);
    assert.is(figure.text, expected[figure.key], `${figure.key} text`);
  }
  const rows = await page.locator('#bt-trades tr').allTextContents();
  if (answer.trades.length === 0) assert.equal(rows, ['no trades']);
  else {
    assert.is(rows.length, answer.trades.length);
    const returns = await page.locator('#bt-trades tr td:last-child').allTextContents();
    assert.equal(
      returns,
      answer.trades.map((t) => gain(t.return)),
    );
  }
  assert.is(await page.getAttribute('#equity-chart', 'data-points'), String(answer.curve.length));
}

test.before(async () => {
  web = await startWeb();
  const end = Date.now() - (Date.now() % HOUR) - HOUR;
  const ticks = hourly(300, end);
  await seedStore(web.store, ticks);
  await seedIndicators(web.store, {
    symbol: 'BTC-USD',
    timeframe: '1h',
    closed: null,
    stance: { strategy: 'bollinger-1h', stance: 'long', since: ticks[290]!.ts, entryPrice: 97_120 },
    ts: ticks[299]!.ts,
    price: ticks[299]!.price,
    sma: null,
    ema: null,
    rsi: null,
    macd: null,
    macdSignal: null,
    macdHist: null,
    bbUpper: null,
    bbMiddle: null,
    bbLower: null,
  });
  mkdirSync(historyDir(web.config), { recursive: true });
  const file = hourly(2000, Date.UTC(2025, 5, 1), 40);
  writeFileSync(join(historyDir(web.config), 'btc-usd-1h.csv'), `ts,price\n${file.map((t) => `${t.ts},${t.price}`).join('\n')}\n`);
  const { port } = await web.role.listen('127.0.0.1', 0);
  url = `http://127.0.0.1:${port}/`;
  browser = await openBrowser({ timezoneId: 'UTC', colorScheme: 'light' });
  page = browser.page;
  mkdirSync(ARTIFACTS, { recursive: true });
});

test.after(async () => {
  await browser?.close();
  await web?.close().catch(() => undefined);
});

test('the Strategy view: rules in words, the stance, and the backtest over the stored history as the endpoint reports it', async () => {
  await page.goto(`${url}#strategy`);
  await page.waitForSelector('#strategy-view[data-state="done"]', { timeout: 30_000 });
  assert.ok(await page.locator('#live-view').isHidden());
  assert.is(await page.getAttribute('button.view[value="strategy"]', 'aria-pressed'), 'true');
  const info = (await (await fetch(`${url}api/strategy?symbol=BTC-USD`)).json()) as { rules: string[] };
  assert.equal(await page.locator('#strategy-rules li').allTextContents(), info.rules);
  assert.match(String(await page.textContent('#strategy-stance')), /^bollinger-1h: LONG since .+ at 97,120\.00$/);
  assert.match(String(await page.textContent('#strategy-view')), /hypothetical, not advice/);
  assert.match(String(await page.textContent('#strategy-view')), /It is not advice/);
  const answer = (await (await fetch(`${url}api/backtest?symbol=BTC-USD`)).json()) as Answer;
  assert.ok((answer.report.trades as number) >= 2, `${answer.report.trades} trades`);
  await assertShows(answer);
  assert.match(String(await page.textContent('#bt-status')), /300 1h candles from this appliance's store/);
  // The curves are drawn (lightweight-charts paints canvases).
  await eventually(async () => {
    const colours = await page.evaluate<number>(`(() => {
      const seen = new Set();
      for (const canvas of document.querySelectorAll('#equity-chart canvas')) {
        if (canvas.width < 50 || canvas.height < 50) continue;
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 0; i < data.length; i += 4 * 5) seen.add(data[i] + ',' + data[i + 1] + ',' + data[i + 2]);
      }
      return seen.size;
    })()`);
    assert.ok(colours > 8, `the equity chart holds ${colours} colours`);
  });
  await page.screenshot({ path: join(ARTIFACTS, 'strategy-desktop.png'), fullPage: true });
});

test('choosing a downloaded file runs the backtest over it; the figures are the endpoint’s', async () => {
  const options = await page.locator('#bt-source option').allTextContents();
  assert.equal(options.length, 2);
  assert.match(options[1]!, /^File btc-usd-1h\.csv \(\d+ kB\)$/);
  await page.selectOption('#bt-source', 'btc-usd-1h.csv');
  await eventually(async () => assert.match(String(await page.textContent('#bt-status')), /2000 rows of btc-usd-1h\.csv/), 30_000);
  const answer = (await (await fetch(`${url}api/backtest?symbol=BTC-USD&file=btc-usd-1h.csv`)).json()) as Answer;
  assert.ok((answer.report.trades as number) >= 5);
  await assertShows(answer);
  assert.equal(await page.evaluate('window.__csp'), []);
});

test('phone width: one column, nothing wider than the screen, the figures readable', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  const layout = await page.evaluate<{ scroll: number; chart: number; wide: string[]; font: number }>(`({
    scroll: document.documentElement.scrollWidth,
    chart: document.querySelector('#equity-chart').getBoundingClientRect().width,
    wide: [...document.querySelectorAll('#strategy-view *')].filter((e) => e.getBoundingClientRect().right > 391 && !e.closest('.scroll')).map((e) => e.tagName + '#' + e.id + '.' + e.className).slice(0, 8),
    font: parseFloat(getComputedStyle(document.querySelector('#bt-figures dd')).fontSize),
  })`);
  assert.ok(layout.scroll <= 390, `page is ${layout.scroll} px wide: ${layout.wide.join(' ')}`);
  assert.equal(layout.wide, []);
  assert.ok(layout.chart > 300 && layout.chart <= 390, `chart is ${layout.chart} px wide`);
  assert.ok(layout.font >= 12, `figures at ${layout.font} px`);
  await page.screenshot({ path: join(ARTIFACTS, 'strategy-phone.png'), fullPage: true });
  assert.equal(browser?.problems, []);
});

test.run();
