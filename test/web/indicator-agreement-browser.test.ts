// Issue 15, "two places showing the same indicator and timeframe show the same number": the real
// processor and aggregator on the embedded log, the dashboard in Chromium on the strategy's timeframe,
// and live ticks flowing, including bursts that cross into the timeframe's next bucket. After each step
// the chart's own values on its last candle (computed in the browser from the candles the API answers
// and the live ticks) must read exactly as the side panel's (the processor's record), and the OLED's
// RSI as both. Run twice: on 1h, a timeframe the store keeps, and on 15m, which the API rolls up from
// the stored 5m candles.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { Registry } from 'prom-client';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { aggregateRole } from '../../cluster/aggregate/role.js';
import { processRole } from '../../cluster/process/role.js';
import type { Tick } from '../../core/contracts/index.js';
import { drawSmallText, smallTextWidth } from '../../core/edge/font-small.js';
import { createFrame, getPixel } from '../../core/edge/frame.js';
import { createLogger } from '../../platform/log.js';
import type { RunningRole } from '../../platform/role.js';
import { openBrowser, type TestBrowser } from '../support/browser.js';
import { eventually } from '../support/wait.js';
import { recentTicks, startWeb, type WebFixture } from '../support/web.js';

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');
const HOUR = 3_600_000;
const KEYS = ['sma', 'ema', 'rsi', 'macd', 'bollinger'];

/** Page-side reads, given the page (each run has its own). */
async function texts(page: Page, selector: string): Promise<Record<string, string>> {
  return page.evaluate<Record<string, string>>(
    `Object.fromEntries([...document.querySelectorAll('${selector} [data-key]')].map((e) => [e.dataset.key, e.textContent]))`,
  );
}

/** The OLED's RSI ("RSI 1h 61", right-aligned on row 29 of the 128x64 page) as the canvas shows it, compared with `text` drawn alone. */
async function oledShows(page: Page, text: string): Promise<boolean> {
  const width = smallTextWidth(text);
  const x = 127 - width;
  const expected = createFrame(128, 64);
  drawSmallText(expected, x, 29, text);
  const lit = await page.evaluate<number[]>(`(() => {
    const data = document.querySelector('#oled').getContext('2d').getImageData(0, 0, 128, 64).data;
    const on = [];
    for (let y = 28; y < 37; y++) for (let x = ${x - 1}; x < 128; x++) if (data[(y * 128 + x) * 4] + data[(y * 128 + x) * 4 + 1] + data[(y * 128 + x) * 4 + 2] > 0) on.push(y * 128 + x);
    return on;
  })()`);
  const want: number[] = [];
  for (let y = 28; y < 37; y++) for (let px = x - 1; px < 128; px++) if (getPixel(expected, px, y)) want.push(y * 128 + px);
  return lit.join() === want.join();
}

/** One run: the strategy on `timeframe`, whose buckets are `bucketMs` long. */
function agreement(timeframe: '1h' | '15m', bucketMs: number): void {
  const test = suite(`strategy timeframe ${timeframe}`);
  let web: WebFixture;
  const roles: Array<Pick<RunningRole, 'stop'>> = [];
  let browser: TestBrowser | undefined;
  let page: Page;
  let url: string;
  let lastTs = 0;
  let lastPrice = 0;

  async function publish(ticks: readonly Tick[]): Promise<void> {
    await web.bus.publish(
      'stock.ticks',
      ticks.map((tick) => ({ key: tick.symbol, value: JSON.stringify(tick) })),
    );
    const last = ticks[ticks.length - 1]!;
    lastTs = last.ts;
    lastPrice = last.price;
  }

  /** Waits until the side panel shows the record of the last tick and the chart has it as its last close. */
  async function settled(): Promise<void> {
    await eventually(async () => {
      assert.is(await page.getAttribute('#indicators', 'data-ts'), String(lastTs));
      assert.is(await page.getAttribute('#chart-values', 'data-close'), String(lastPrice));
    }, 30_000);
  }

  test.before(async () => {
    web = await startWeb(
      {},
      {
        symbols: ['BTC-USD'],
        strategy: { name: `bollinger-${timeframe}`, timeframe },
        edge: { hardware: 'virtual', display: { shiftMinutes: 0, night: { mode: 'none' } } },
      },
    );
    const deps = { config: web.config, logger: createLogger('silent'), bus: web.bus, registry: new Registry(), version: 'test' };
    roles.push(await processRole.start(deps), await aggregateRole.start({ ...deps, registry: new Registry() }));
    // Two days of prices every 2 minutes, ending 6 hours ago at 20 minutes past an hour: the live part
    // then walks forward through whole buckets without reaching the future.
    const now = Date.now();
    const end = now - (now % HOUR) - 6 * HOUR + 20 * 60_000;
    const history = recentTicks(1440, end, 'coinbase', 120_000);
    for (let i = 0; i < history.length; i += 200) await publish(history.slice(i, i + 200));
    await eventually(async () => {
      const latest = await web.store.latest('BTC-USD');
      assert.is(latest?.indicators?.ts, lastTs);
      assert.ok(latest?.indicators?.rsi !== null);
    }, 60_000);

    const { port } = await web.role.listen('127.0.0.1', 0);
    url = `http://127.0.0.1:${port}/`;
    // As before the shared helper: uncaught page errors only, no CSP watch.
    browser = await openBrowser({ timezoneId: 'Europe/Berlin', consoleErrors: false, watchCsp: false });
    page = browser.page;
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  test.after(async () => {
    await browser?.close();
    for (const role of roles.reverse()) await role.stop().catch(() => undefined);
    await web?.close().catch(() => undefined);
  });

  test('the chart opens on the strategy timeframe, and its values read as the side panel and the OLED', async () => {
    await page.goto(url);
    await page.waitForSelector('body[data-connection="live"]', { timeout: 15_000 });
    assert.is(await page.getAttribute(`button.tf[value="${timeframe}"]`, 'aria-pressed'), 'true');
    await settled();
    assert.match(String(await page.textContent('#indicators-timeframe')), new RegExp(`${timeframe} candles, forming`));
    assert.match(String(await page.textContent('#chart-values')), new RegExp(`^${timeframe} candles, last: `));
    const panel = await texts(page, '#indicators');
    assert.equal(Object.keys(panel), KEYS);
    assert.equal(await texts(page, '#chart-values'), panel);
    await eventually(
      async () => assert.ok(await oledShows(page, `RSI ${timeframe} ${Math.round(Number(panel.rsi))}`), 'the OLED shows the same RSI'),
      20_000,
    );
  });

  test(`while live ticks flow, across ${timeframe} buckets and in bursts the feed thins, every place agrees after each step`, async () => {
    let price = lastPrice;
    let ts = lastTs;
    for (let step = 0; step < 12; step++) {
      // A burst: several ticks in one go, the last ones crossing into the next bucket on odd steps.
      const burst: Tick[] = [];
      const target = step % 2 === 1 ? ts - (ts % bucketMs) + bucketMs + 30_000 : ts + 5 * 60_000;
      for (let i = 1; i <= 6; i++) {
        price = Math.round((price + Math.sin(step * 3 + i) * 140) * 100) / 100;
        burst.push({ symbol: 'BTC-USD', price, ts: ts + Math.round(((target - ts) * i) / 6), source: 'coinbase', volume: 0.1 });
      }
      ts = burst[burst.length - 1]!.ts;
      await publish(burst);
      await settled();
      const panel = await texts(page, '#indicators');
      assert.equal(await texts(page, '#chart-values'), panel, `step ${step}: chart and side panel`);
      await eventually(
        async () => assert.ok(await oledShows(page, `RSI ${timeframe} ${Math.round(Number(panel.rsi))}`), `step ${step}: OLED`),
        20_000,
      );
    }
    await page.screenshot({ path: join(ARTIFACTS, `dashboard-agreement-${timeframe}.png`), fullPage: true });
    assert.equal(browser?.problems, []);
  });

  test.run();
}

agreement('1h', HOUR);
agreement('15m', 15 * 60_000);
