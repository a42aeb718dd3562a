// The dashboard page: loads the snapshots from the JSON API, follows the live events, and keeps
// every panel current. Values from data are only ever inserted as text (dom.ts).
import { CANDLE_MS, isCandleTimeframe, type CandleTimeframe } from '../../core/candles/timeframe.js';
import { PriceChart, type ChartValues } from './chart.js';
import { byId, el, fill, setText } from './dom.js';
import * as fmt from './format.js';
import { LiveConnection, type ConnectionState } from './live.js';
import { drawFrame } from './oled.js';
import { StrategyView } from './strategy.js';
import type { Candle, DailyStats, DashboardNotification, Health, Indicators, Latest, Leds, Meta, Panel, Signal, Tick } from './types.js';

const MAX_FEED = 50;

const state = {
  meta: undefined as Meta | undefined,
  symbol: '',
  timeframe: '1m' as CandleTimeframe,
  connection: 'connecting' as ConnectionState,
  lastTick: undefined as Tick | undefined,
  lastTickAt: 0,
  today: null as DailyStats | null,
  signals: [] as Signal[],
  chart: undefined as PriceChart | undefined,
  view: 'live' as 'live' | 'strategy',
  strategy: undefined as StrategyView | undefined,
  loadSerial: 0,
};

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

function query(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

// ---------- status badges ----------

function renderStatus(): void {
  const body = document.body;
  const stale = state.lastTick === undefined || Date.now() - state.lastTickAt > (state.meta?.staleSeconds ?? 30) * 1000;
  const simulated = state.lastTick?.source === 'simulator';
  body.dataset.connection = state.connection;
  const conn = byId('conn');
  conn.className = `badge ${state.connection}`;
  conn.textContent = state.connection === 'live' ? 'LIVE' : state.connection === 'connecting' ? 'CONNECTING' : 'DISCONNECTED';
  byId('stale').hidden = !(stale && state.connection === 'live');
  byId('sim').hidden = !simulated;
  byId('banner').hidden = state.connection !== 'disconnected';
}

// ---------- price and today ----------

function renderPrice(): void {
  const tick = state.lastTick;
  setText('price', tick ? fmt.price(tick.price) : '—');
  byId('price').dataset.value = tick ? String(tick.price) : '';
  setText('price-time', tick ? `${fmt.time(tick.ts)} · ${tick.source}` : 'no price yet');
  const open = state.today?.open ?? null;
  const change = byId('change');
  if (tick && open !== null) {
    const delta = tick.price - open;
    change.textContent = `${fmt.signed(delta)} (${fmt.percent(delta / open)}) since day open`;
    change.className = delta >= 0 ? 'up' : 'down';
  } else {
    change.textContent = '';
    change.className = '';
  }
}

function renderToday(): void {
  const today = state.today;
  const rows: Array<[string, string]> = today
    ? [
        ['Open', fmt.price(today.open)],
        ['High', fmt.price(today.high)],
        ['Low', fmt.price(today.low)],
        ['Average', fmt.price(today.average)],
        ['Volume', fmt.number(today.volume, 4)],
        ['Ticks', String(today.ticks)],
        ['Buy signals', String(today.buys)],
        ['Sell signals', String(today.sells)],
      ]
    : [];
  fill(byId('today'), ...rows.flatMap(([name, value]) => [el('dt', '', name), el('dd', '', value)]));
  setText('today-day', today ? `${today.day} (UTC day)` : 'no figures yet');
}

/** The indicator figures as the side panel and the chart's legend both write them: [key, name, text]. */
function indicatorTexts(values: Omit<ChartValues, 'start' | 'close'>): Array<[string, string, string]> {
  return [
    ['sma', 'SMA', fmt.price(values.sma)],
    ['ema', 'EMA', fmt.price(values.ema)],
    ['rsi', 'RSI', fmt.number(values.rsi, 1)],
    ['macd', 'MACD', fmt.number(values.macd, 2)],
    ['bollinger', 'Bollinger', `${fmt.price(values.bbLower)} – ${fmt.price(values.bbUpper)}`],
  ];
}

function keyed<T extends HTMLElement>(node: T, key: string): T {
  node.dataset.key = key;
  return node;
}

/** The chart's own values on its last candle, under the chart, named with the timeframe on screen. */
function renderChartValues(values: ChartValues | null): void {
  const box = byId('chart-values');
  box.dataset.start = values ? String(values.start) : '';
  box.dataset.close = values ? String(values.close) : '';
  fill(
    box,
    ...(values
      ? [
          el('span', 'tf', `${state.timeframe} candles, last: `),
          ...indicatorTexts(values).flatMap(([key, name, text], i) => [
            i > 0 ? ' · ' : '',
            el('span', '', `${name} `),
            keyed(el('span', 'value', text), key),
          ]),
        ]
      : []),
  );
}

function renderIndicators(values: Indicators | null): void {
  const rows = values ? indicatorTexts(values) : [];
  fill(
    byId('indicators'),
    ...(rows.length
      ? rows.flatMap(([key, name, value]) => [el('dt', '', name), keyed(el('dd', '', value), key)])
      : [el('dd', 'empty', 'waiting for the processor')]),
  );
  byId('indicators').dataset.ts = values ? String(values.ts) : '';
  // The same values the OLED and MQTT show: the strategy timeframe's forming candle.
  setText('indicators-timeframe', values?.timeframe ? `(${values.timeframe} candles, forming)` : '');
  const stance = values?.stance;
  setText('stance', stance ? fmt.stance(stance) : '');
  // Until each timeframe has the candles its indicators need (a warm start usually fills them at once).
  const warming = values?.warmup ?? [];
  setText(
    'warmup',
    warming.length === 0 ? '' : `warming up: ${warming.map((w) => `${w.timeframe} ${w.candles} of ${w.needed} candles`).join(', ')}`,
  );
}

function renderDays(days: DailyStats[]): void {
  const rows = [...days]
    .reverse()
    .map((day) =>
      el(
        'tr',
        '',
        el('td', '', day.day),
        el('td', 'num', fmt.price(day.average)),
        el('td', 'num', fmt.price(day.close)),
        el('td', 'num opt', fmt.number(day.volume, 3)),
        el('td', 'num buy', String(day.buys)),
        el('td', 'num sell', String(day.sells)),
      ),
    );
  fill(byId('days'), ...(rows.length ? rows : [el('tr', '', el('td', 'empty', 'no days yet'))]));
}

// ---------- signals ----------

function signalItem(signal: Signal): HTMLElement {
  const item = el(
    'li',
    `signal ${signal.side} ${signal.kind ?? 'recommendation'}`,
    el('span', `side ${signal.side}`, `${signal.kind === 'crossing' ? 'crossing ' : ''}${signal.side.toUpperCase()}`),
    el('span', 'timeframe', signal.timeframe ?? ''),
    el('span', 'signal-price', fmt.price(signal.price)),
    el('time', 'signal-time', fmt.time(signal.ts)),
    el('span', 'rule', signal.rule),
    el('p', 'reason', signal.reason),
  );
  item.dataset.id = signal.id;
  return item;
}

function renderSignals(): void {
  const list = byId('signals');
  fill(list, ...(state.signals.length ? state.signals.map(signalItem) : [el('li', 'empty', 'no signals yet')]));
}

function addSignal(signal: Signal): void {
  if (signal.symbol !== state.symbol || state.signals.some((known) => known.id === signal.id)) return;
  state.signals = [signal, ...state.signals].sort((a, b) => b.ts - a.ts).slice(0, MAX_FEED);
  renderSignals();
  state.chart?.addSignal(signal);
  if (state.today && signal.kind !== 'crossing')
    state.today = {
      ...state.today,
      buys: state.today.buys + (signal.side === 'buy' ? 1 : 0),
      sells: state.today.sells + (signal.side === 'sell' ? 1 : 0),
    };
  renderToday();
}

// ---------- health ----------

function statusRow(name: string, ok: boolean, detail: string): HTMLElement {
  return el('li', ok ? 'ok' : 'bad', el('span', 'dot', ok ? '●' : '●'), el('span', 'name', name), el('span', 'detail', detail));
}

function renderHealth(health: Health): void {
  const rows: HTMLElement[] = [
    statusRow(health.bus.kind === 'kafka' ? 'Kafka' : 'Embedded log', health.bus.ok, health.bus.detail),
    statusRow(health.store.kind === 'redis' ? 'Redis' : 'SQLite store', health.store.ok, health.store.detail),
    statusRow('Live feed', health.live.ok, health.live.detail),
  ];
  for (const symbol of health.symbols) {
    const detail =
      symbol.lastTickTs === null
        ? 'no tick since the dashboard started'
        : `last tick ${fmt.age(symbol.ageMs)} from ${symbol.source ?? '?'}`;
    rows.push(statusRow(`Ingest ${symbol.symbol}`, !symbol.stale, symbol.stale ? `STALE: ${detail}` : detail));
  }
  for (const lag of health.lag) rows.push(statusRow(`Lag ${lag.group} p${lag.partition}`, lag.lag < 1000, `${lag.lag} message(s) behind`));
  for (const [name, role] of Object.entries(health.roles)) {
    const failing = Object.entries(role.checks)
      .filter(([, check]) => !check.ok)
      .map(([check]) => check);
    rows.push(statusRow(`Role ${name}`, role.ok, failing.length ? `failing: ${failing.join(', ')}` : role.detail));
  }
  const mqtt = health.roles.mqtt;
  if (!mqtt)
    rows.push(statusRow('MQTT', true, health.mqtt.configured ? 'configured (its bridge reports its own health)' : 'not configured'));
  fill(byId('health'), ...rows);
}

// ---------- edge panel ----------

function renderPanel(panel: Panel): void {
  const style = getComputedStyle(document.documentElement);
  const lit = drawFrame(byId<HTMLCanvasElement>('oled'), panel, style.getPropertyValue('--oled-on').trim() || '#9cf', '#000');
  byId('oled').dataset.lit = String(lit);
  renderLeds(panel.leds);
  setText('panel-mode', panel.hardware.display ? 'mirrors the OLED on the edge node' : 'virtual (no OLED attached to this process)');
}

function renderLeds(leds: Leds): void {
  byId('led-buy').classList.toggle('on', leds.buyLed === 1);
  byId('led-sell').classList.toggle('on', leds.sellLed === 1);
  byId('led-buzzer').classList.toggle('on', leds.buzzer === 1);
}

// ---------- notifications ----------

function showNotification(notification: DashboardNotification): void {
  if (notification.muted) return;
  const toast = el(
    'div',
    `toast ${notification.level}`,
    el('strong', '', notification.title),
    el('p', '', notification.body),
    el('time', '', fmt.time(notification.ts)),
  );
  const box = byId('toasts');
  box.prepend(toast);
  while (box.children.length > 3) box.lastElementChild?.remove();
  window.setTimeout(() => toast.remove(), 10_000);
}

// ---------- loading ----------

async function loadSymbol(): Promise<void> {
  const serial = ++state.loadSerial;
  const { symbol, timeframe } = state;
  const [candles, latest, signals, daily] = await Promise.all([
    getJson<{ candles: Candle[] }>(`/api/candles?${query({ symbol, timeframe })}`),
    getJson<Latest>(`/api/latest?${query({ symbol })}`),
    getJson<{ signals: Signal[] }>(`/api/signals?${query({ symbol })}`),
    getJson<{ days: DailyStats[] }>(`/api/daily?${query({ symbol, days: String(state.meta?.historyDays ?? 7) })}`),
  ]);
  if (serial !== state.loadSerial) return; // a newer switch won
  state.today = latest.today;
  if (latest.tick && (!state.lastTick || state.lastTick.symbol !== symbol || latest.tick.ts >= state.lastTick.ts)) {
    state.lastTick = latest.tick;
    state.lastTickAt = latest.freshness.ageMs === null ? 0 : Date.now() - latest.freshness.ageMs;
  }
  state.signals = [...signals.signals].sort((a, b) => b.ts - a.ts).slice(0, MAX_FEED);
  state.chart?.load(candles.candles, CANDLE_MS[timeframe], signals.signals);
  byId('chart').dataset.bars = String(state.chart?.barCount ?? 0);
  renderPrice();
  renderToday();
  renderIndicators(latest.indicators);
  renderSignals();
  renderDays(daily.days);
  renderStatus();
}

function reload(): void {
  loadSymbol().catch((error: Error) =>
    showNotification({ id: 'load', ts: Date.now(), level: 'warning', title: 'Could not load data', body: error.message, muted: false }),
  );
  if (state.view === 'strategy') loadStrategy();
  getJson<Panel>('/api/panel').then(renderPanel, () => undefined);
  getJson<Health>('/api/health').then(renderHealth, () => undefined);
}

function onEvent(type: string, data: unknown): void {
  switch (type) {
    case 'tick': {
      const tick = data as Tick;
      if (tick.symbol !== state.symbol) return;
      state.lastTick = tick;
      state.lastTickAt = Date.now();
      state.chart?.addTick(tick.price, tick.ts, tick.volume ?? 0);
      byId('chart').dataset.bars = String(state.chart?.barCount ?? 0);
      renderPrice();
      renderStatus();
      return;
    }
    case 'indicators':
      if ((data as Indicators).symbol === state.symbol) renderIndicators(data as Indicators);
      return;
    case 'signal':
      addSignal(data as Signal);
      return;
    case 'panel':
      renderPanel(data as Panel);
      return;
    case 'leds':
      renderLeds(data as Leds);
      return;
    case 'health':
      renderHealth(data as Health);
      return;
    case 'notification':
      showNotification(data as DashboardNotification);
      return;
  }
}

// ---------- controls (token holders only) ----------

function setupControls(enabled: boolean): void {
  const box = byId('controls');
  box.hidden = !enabled;
  if (!enabled) return;
  const token = byId<HTMLInputElement>('token');
  const result = byId('control-result');
  const send = async (path: string, body?: unknown) => {
    const init: RequestInit = {
      method: 'POST',
      headers: { authorization: `Bearer ${token.value}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await fetch(path, init);
    const answer = (await response.json().catch(() => ({}))) as { message?: string };
    result.textContent = response.ok ? 'done' : (answer.message ?? `HTTP ${response.status}`);
  };
  byId('mute').addEventListener('click', () => void send('/api/controls/mute', { minutes: 60 }));
  byId('unmute').addEventListener('click', () => void send('/api/controls/mute', { minutes: 0 }));
  byId('test-notification').addEventListener('click', () => void send('/api/controls/test-notification'));
}

// ---------- views ----------

function loadStrategy(): void {
  state.strategy?.load().catch((error: Error) => setText('bt-status', `could not load the strategy: ${error.message}`));
}

/** Live or Strategy, remembered in the address (#strategy) so a bookmark opens it. */
function showView(view: 'live' | 'strategy', load = true): void {
  state.view = view;
  byId('live-view').hidden = view !== 'live';
  byId('strategy-view').hidden = view !== 'strategy';
  for (const button of document.querySelectorAll<HTMLButtonElement>('button.view'))
    button.setAttribute('aria-pressed', String(button.value === view));
  document.body.dataset.view = view;
  if (view === 'strategy' && load) loadStrategy();
}

// ---------- start ----------

async function start(): Promise<void> {
  setText('zone', `times in ${fmt.zoneName()}`);
  const meta = await getJson<Meta>('/api/meta');
  state.meta = meta;
  state.symbol = meta.symbols[0] ?? '';
  const select = byId<HTMLSelectElement>('symbol');
  fill(select, ...meta.symbols.map((symbol) => el('option', '', symbol)));
  select.addEventListener('change', () => {
    state.symbol = select.value;
    state.lastTick = undefined;
    reload();
  });
  for (const button of document.querySelectorAll<HTMLButtonElement>('button.tf')) {
    button.addEventListener('click', () => {
      if (!isCandleTimeframe(button.value)) return;
      state.timeframe = button.value;
      for (const other of document.querySelectorAll<HTMLButtonElement>('button.tf'))
        other.setAttribute('aria-pressed', String(other === button));
      reload();
    });
  }
  // The chart opens on the strategy's timeframe when it has it, so it shows the side panel's numbers.
  const strategyTimeframe = meta.strategyTimeframe;
  if (isCandleTimeframe(strategyTimeframe) && meta.timeframes.includes(strategyTimeframe)) {
    state.timeframe = strategyTimeframe;
    for (const button of document.querySelectorAll<HTMLButtonElement>('button.tf'))
      button.setAttribute('aria-pressed', String(button.value === state.timeframe));
  }
  state.chart = new PriceChart(byId('chart'), meta.indicators, renderChartValues);
  state.strategy = new StrategyView(() => state.symbol);
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    state.chart?.applyTheme();
    state.strategy?.applyTheme();
  });
  for (const button of document.querySelectorAll<HTMLButtonElement>('button.view'))
    button.addEventListener('click', () => {
      history.replaceState(null, '', button.value === 'strategy' ? '#strategy' : '#');
      showView(button.value as 'live' | 'strategy');
    });
  if (location.hash === '#strategy') showView('strategy', false); // reload() below loads it
  setupControls(meta.controls.enabled);
  reload();
  new LiveConnection('/api/events', {
    onState: (connection) => {
      state.connection = connection;
      renderStatus();
    },
    onResync: reload,
    onEvent,
  }).start();
  window.setInterval(renderStatus, 1000);
}

start().catch((error: Error) => {
  document.body.dataset.connection = 'disconnected';
  setText('price-time', `could not start: ${error.message}`);
  byId('banner').hidden = false;
});
