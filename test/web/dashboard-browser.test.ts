// The dashboard in a real browser (Debian's Chromium through playwright-core), against the web role
// on the embedded log and SQLite: the chart draws, a tick arrives live, a signal with a hostile reason
// is shown as text, the simulated badge, the disconnected state, and the phone layout. One launch.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openBrowser, type TestBrowser } from '../support/browser.js';
import { eventually } from '../support/wait.js';
import { recentTicks, seedIndicators, seedStore, startWeb, type WebFixture } from '../support/web.js';

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');
const ZONE = 'Asia/Tokyo';
const HOSTILE = '<img src=x onerror="window.__xss=1">RSI < 30 & rising';

let web: WebFixture;
let browser: TestBrowser | undefined;
let page: Page;
let url: string;
let lastSeeded: { ts: number; price: number };
/** When the seeded buy is: the "today" card counts it only on its UTC day (not just after midnight). */
let seededBuyTs: number;
const utcDay = (ts: number) => new Date(ts).toISOString().slice(0, 10);

test.before(async () => {
  web = await startWeb();
  const end = Date.now() - 60_000;
  // Four hours of ticks every 15 s: 240 one-minute candles with bodies and wicks.
  const ticks = recentTicks(960, end - (end % 60_000), 'coinbase', 15_000);
  await seedStore(web.store, ticks, [
    {
      id: 'seed-buy',
      symbol: 'BTC-USD',
      ts: ticks[480]!.ts,
      side: 'buy',
      rule: 'rsi-14',
      price: ticks[480]!.price,
      reason: 'RSI 14 crossed above 30 (28.1 -> 31.4)',
      kind: 'recommendation',
      timeframe: '1h',
    },
    {
      id: 'seed-sell',
      symbol: 'BTC-USD',
      ts: ticks[800]!.ts,
      side: 'sell',
      rule: 'macd',
      price: ticks[800]!.price,
      reason: 'MACD crossed below its signal line',
      kind: 'recommendation',
      timeframe: '1h',
    },
  ]);
  const last = ticks[ticks.length - 1]!;
  lastSeeded = last;
  seededBuyTs = ticks[480]!.ts;
  await seedIndicators(web.store, {
    symbol: 'BTC-USD',
    timeframe: '1h',
    closed: null,
    stance: { strategy: 'macd-1h', stance: 'long', since: ticks[480]!.ts, entryPrice: ticks[480]!.price },
    ts: last.ts,
    price: last.price,
    sma: last.price - 40,
    ema: last.price - 25,
    rsi: 61.2,
    macd: 14.2,
    macdSignal: 9.8,
    macdHist: 4.4,
    bbUpper: last.price + 150,
    bbMiddle: last.price - 40,
    bbLower: last.price - 230,
    // A 5m timeframe the strategy follows still short of candles (issue 16's warm start).
    warmup: [{ timeframe: '5m', candles: 12, needed: 35 }],
  });
  const { port } = await web.role.listen('127.0.0.1', 0);
  url = `http://127.0.0.1:${port}/`;
  browser = await openBrowser({ timezoneId: ZONE, colorScheme: 'dark' });
  page = browser.page;
  mkdirSync(ARTIFACTS, { recursive: true });
});

test.after(async () => {
  await browser?.close();
  await web?.close().catch(() => undefined);
});

async function publish(topic: string, value: unknown): Promise<void> {
  await web.bus.publish(topic, [{ key: 'BTC-USD', value: JSON.stringify(value) }]);
}

test('the chart renders the stored candles with overlays and panes, live over SSE', async () => {
  await page.goto(url);
  await page.waitForSelector('body[data-connection="live"]', { timeout: 15_000 });
  // It opens on the strategy's timeframe (1h), where the chart's values are the side panel's; then 1m.
  assert.is(await page.getAttribute('button.tf[value="1h"]', 'aria-pressed'), 'true');
  await eventually(async () => assert.ok(Number(await page.getAttribute('#chart', 'data-bars')) >= 4));
  await page.click('button.tf[value="1m"]');
  await eventually(async () => assert.ok(Number(await page.getAttribute('#chart', 'data-bars')) >= 240));
  assert.match(String(await page.textContent('#chart-values')), /^1m candles, last: SMA [\d,.]+ · EMA /);
  assert.match(String(await page.textContent('#indicators')), /RSI61\.2/);
  assert.is(await page.textContent('#warmup'), 'warming up: 5m 12 of 35 candles');
  // lightweight-charts draws on canvases; the panes' canvases must hold more than a background.
  const colours = await page.evaluate<number>(`(() => {
    const seen = new Set();
    for (const canvas of document.querySelectorAll('#chart canvas')) {
      if (canvas.width < 50 || canvas.height < 50) continue;
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < data.length; i += 4 * 7) seen.add(data[i] + ',' + data[i + 1] + ',' + data[i + 2]);
    }
    return seen.size;
  })()`);
  assert.ok(colours > 20, `the chart canvases hold ${colours} colours`);
  assert.ok(
    (await page.locator('#chart table tr').count()) >= 3 || (await page.locator('#chart canvas').count()) >= 6,
    'price, RSI and MACD panes',
  );
  assert.ok(await page.locator('#chart a[href*="tradingview.com"]').count(), 'the TradingView attribution link on the chart');
  const feed = await page.locator('#signals li').allTextContents();
  assert.ok(feed.some((text) => text.includes('MACD crossed below its signal line')));
  // The stored signals as markers on the price series (drawn on the canvas; the chart says so too).
  await eventually(async () => assert.is(await page.getAttribute('#chart', 'data-markers'), '1 buy and 1 sell markers'));
  // The card is the day of the latest tick.
  const buysToday = utcDay(seededBuyTs) === utcDay(lastSeeded.ts) ? 1 : 0;
  assert.match(String(await page.textContent('#today')), new RegExp(`Buy signals${buysToday}`));
});

test('15m, 4h and 1d: each draws the candles the API answers, and a live tick folds into its forming candle', async () => {
  let price = lastSeeded.price;
  for (const [timeframe, sizeMs] of [
    ['15m', 900_000],
    ['4h', 14_400_000],
    ['1d', 86_400_000],
  ] as const) {
    const answer = (await (await fetch(`${url}api/candles?symbol=BTC-USD&timeframe=${timeframe}`)).json()) as {
      candles: Array<{ start: number }>;
    };
    assert.ok(answer.candles.length >= 1, timeframe);
    await page.click(`button.tf[value="${timeframe}"]`);
    // The timeframe's own values first: two timeframes can have as many bars (4h and 1d across midnight).
    await eventually(async () =>
      assert.match(String(await page.textContent('#chart-values')), new RegExp(`^${timeframe} candles, last: `)),
    );
    await eventually(async () => assert.is(await page.getAttribute('#chart', 'data-bars'), String(answer.candles.length), timeframe));
    // A second after the last stored tick (on a minute boundary): the same bucket in every timeframe.
    const ts = lastSeeded.ts + 1000;
    price = Math.round((price + 1.25) * 100) / 100;
    lastSeeded = { ts, price };
    await publish('stock.ticks', { symbol: 'BTC-USD', price, ts, source: 'coinbase', volume: 0.1 });
    await eventually(async () => assert.is(await page.getAttribute('#chart-values', 'data-close'), String(price), timeframe));
    assert.is(
      await page.getAttribute('#chart-values', 'data-start'),
      String(ts - (ts % sizeMs)),
      `${timeframe}: the forming candle, not a new one`,
    );
    assert.is(await page.getAttribute('#chart-values', 'data-start'), String(answer.candles[answer.candles.length - 1]!.start));
  }
  await page.click('button.tf[value="1m"]');
  await eventually(async () => assert.ok(Number(await page.getAttribute('#chart', 'data-bars')) >= 240));
});

test('a published tick appears live with the simulated badge; the OLED mirrors the edge frame', async () => {
  const ts = Date.now();
  assert.ok(await page.locator('#sim').isHidden());
  await publish('stock.ticks', { symbol: 'BTC-USD', price: 98765.43, ts, source: 'simulator', volume: 0.1 });
  await eventually(async () => assert.is(await page.textContent('#price'), '98,765.43'));
  const local = new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: ZONE }).format(
    new Date(ts),
  );
  assert.ok((await page.textContent('#price-time'))?.includes(local), 'the tick time in the viewer zone');
  await eventually(async () => assert.ok(await page.locator('#sim').isVisible()));
  await eventually(async () =>
    assert.match(String(await page.textContent('#health')), /Ingest BTC-USDlast tick (now|\d+ s ago) from simulator/),
  );
  // The panel's own edge role renders the tick; the canvas shows exactly the frame's lit pixels.
  await eventually(async () => {
    const panel = (await (await fetch(`${url}api/panel`)).json()) as { frame: string };
    const bits = [...Buffer.from(panel.frame, 'base64')].reduce((sum, byte) => sum + byte.toString(2).replaceAll('0', '').length, 0);
    assert.ok(bits > 100, 'the frame shows a price');
    const lit = await page.evaluate<number>(`(() => {
      const canvas = document.querySelector('#oled');
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] > 0) count++;
      return count;
    })()`);
    assert.is(lit, bits);
  }, 10_000);
});

test('a signal appears in the feed with its reason as text: no element created, no CSP violation', async () => {
  const ts = Date.now();
  await publish('stock.signals', {
    type: 'signal',
    id: 'live-xss',
    symbol: 'BTC-USD',
    ts,
    side: 'buy',
    rule: 'rsi-14',
    price: 98765.43,
    reason: HOSTILE,
    indicators: {},
  });
  const item = page.locator('#signals li[data-id="live-xss"]');
  await item.waitFor({ timeout: 10_000 });
  assert.is(await item.locator('.reason').textContent(), HOSTILE);
  assert.is(await page.locator('#signals img').count(), 0);
  assert.is(await page.locator('body img').count(), 0);
  assert.is(await page.evaluate('window.__xss'), undefined);
  // The previous test's live tick made today the day of the latest tick; this buy counts in it.
  assert.match(String(await page.textContent('#today')), new RegExp(`Buy signals${(utcDay(seededBuyTs) === utcDay(ts) ? 1 : 0) + 1}`));
  await eventually(
    async () => assert.is(await page.getAttribute('#chart', 'aria-label'), 'Price chart with 2 buy and 1 sell markers'),
    5000,
  );
  assert.equal(await page.evaluate('window.__csp'), []);
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-desktop.png'), fullPage: true });
});

test('phone layout: one column, nothing wider than the screen', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300); // the chart follows its container on resize
  const layout = await page.evaluate<{ scroll: number; chart: number; quoteBottom: number; signalsTop: number; wide: string[] }>(`({
    scroll: document.documentElement.scrollWidth,
    chart: document.querySelector('#chart').getBoundingClientRect().width,
    quoteBottom: document.querySelector('.quote').getBoundingClientRect().bottom,
    signalsTop: document.querySelector('#signals').getBoundingClientRect().top,
    wide: [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 391).map((e) => e.tagName + '#' + e.id + '.' + e.className).slice(0, 8),
  })`);
  assert.ok(layout.scroll <= 390, `page is ${layout.scroll} px wide: ${layout.wide.join(' ')}`);
  assert.ok(layout.chart > 300 && layout.chart <= 390, `chart is ${layout.chart} px wide`);
  assert.ok(layout.signalsTop > layout.quoteBottom, 'panels stacked');
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-phone.png'), fullPage: false });
  await page.setViewportSize({ width: 1366, height: 900 });
});

test('when the server stops, the page says it is disconnected and keeps the last data', async () => {
  await web.close();
  await page.waitForSelector('body[data-connection="disconnected"]', { timeout: 15_000 });
  assert.ok(await page.locator('#banner').isVisible());
  assert.is(await page.textContent('#conn'), 'DISCONNECTED');
  assert.is(await page.textContent('#price'), '98,765.43');
  assert.equal(browser?.problems, []);
});

test.run();
