// The price chart: candles with SMA, EMA and Bollinger overlays and buy/sell markers, an RSI pane with
// its 30/70 lines and a MACD pane. Indicators are computed here on the candles' closes with the same
// core code the processor runs on ticks, so they match the timeframe on screen.
import type * as Charts from 'lightweight-charts';
import { Bollinger } from '../../core/indicators/bollinger.js';
import { Ema } from '../../core/indicators/ema.js';
import { Macd } from '../../core/indicators/macd.js';
import { Rsi } from '../../core/indicators/rsi.js';
import { Sma } from '../../core/indicators/sma.js';
import type { Candle, Periods, Signal } from './types.js';

/** The indicators on the last candle on screen (the forming one while ticks come in); null while warming up. */
export interface ChartValues {
  readonly start: number;
  readonly close: number;
  readonly sma: number | null;
  readonly ema: number | null;
  readonly rsi: number | null;
  readonly macd: number | null;
  readonly bbUpper: number | null;
  readonly bbLower: number | null;
}

// The chart library is its own script (window.LightweightCharts), cached apart from the app.
declare const LightweightCharts: typeof Charts;

type Point = Charts.LineData<Charts.UTCTimestamp>;
type Series = Charts.ISeriesApi<Charts.SeriesType, Charts.Time>;

const seconds = (ms: number) => Math.floor(ms / 1000) as Charts.UTCTimestamp;

function colour(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

const localTime = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const localDay = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const localFull = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** The colour of crossings: conditions that fired without changing the stance. */
const QUIET = '#8a8f98';

export class PriceChart {
  private readonly chart: Charts.IChartApi;
  private readonly candles: Series;
  private readonly sma: Series;
  private readonly ema: Series;
  private readonly bbUpper: Series;
  private readonly bbMiddle: Series;
  private readonly bbLower: Series;
  private readonly rsi: Series;
  private readonly macd: Series;
  private readonly macdSignal: Series;
  private readonly macdHist: Series;
  private readonly markers: Charts.ISeriesMarkersPluginApi<Charts.Time>;
  private data: Candle[] = [];
  private signals: Signal[] = [];
  private bucketMs = 60_000;
  private redrawPending = false;

  constructor(
    private readonly container: HTMLElement,
    private readonly periods: Periods,
    /** Told the last candle's values after each redraw (the legend shows them beside the side panel's). */
    private readonly onValues: (values: ChartValues | null) => void = () => undefined,
  ) {
    const L = LightweightCharts;
    this.chart = L.createChart(container, {
      autoSize: true,
      layout: { attributionLogo: true, fontSize: 11 },
      timeScale: {
        timeVisible: true,
        secondsVisible: false,
        // Times in the viewer's zone; the data stays UTC epoch.
        tickMarkFormatter: (time: Charts.Time, type: Charts.TickMarkType) => {
          const date = new Date((time as number) * 1000);
          return type <= L.TickMarkType.DayOfMonth ? localDay.format(date) : localTime.format(date);
        },
      },
      localization: { timeFormatter: (time: Charts.Time) => localFull.format(new Date((time as number) * 1000)) },
      rightPriceScale: { borderVisible: false },
      crosshair: { mode: L.CrosshairMode.Normal },
    });
    const line = (paneIndex: number, extra: Charts.DeepPartial<Charts.LineSeriesOptions> = {}) =>
      this.chart.addSeries(
        L.LineSeries,
        { lineWidth: 1, priceLineVisible: false, lastValueVisible: false, crosshairMarkerVisible: false, ...extra },
        paneIndex,
      );
    this.candles = this.chart.addSeries(L.CandlestickSeries, { borderVisible: false }, 0);
    this.bbUpper = line(0, { lineStyle: L.LineStyle.Dotted });
    this.bbMiddle = line(0, { lineStyle: L.LineStyle.Dotted });
    this.bbLower = line(0, { lineStyle: L.LineStyle.Dotted });
    this.sma = line(0);
    this.ema = line(0);
    this.rsi = line(1, { lastValueVisible: true });
    this.rsi.createPriceLine({
      price: 70,
      lineStyle: L.LineStyle.Dashed,
      lineWidth: 1,
      axisLabelVisible: true,
      title: '70',
      color: '#d9534f',
    });
    this.rsi.createPriceLine({
      price: 30,
      lineStyle: L.LineStyle.Dashed,
      lineWidth: 1,
      axisLabelVisible: true,
      title: '30',
      color: '#2e9d5b',
    });
    this.macdHist = this.chart.addSeries(L.HistogramSeries, { priceLineVisible: false, lastValueVisible: false }, 2);
    this.macd = line(2);
    this.macdSignal = line(2);
    this.markers = L.createSeriesMarkers(this.candles, []);
    this.chart.panes()[1]?.setStretchFactor(0.22);
    this.chart.panes()[2]?.setStretchFactor(0.22);
    this.chart.panes()[0]?.setStretchFactor(0.56);
    this.applyTheme();
  }

  /** Colours come from the page's CSS (light or dark). */
  applyTheme(): void {
    const text = colour('--text');
    const grid = colour('--grid');
    this.chart.applyOptions({
      layout: {
        background: { type: LightweightCharts.ColorType.Solid, color: colour('--panel') },
        textColor: text,
        panes: { separatorColor: grid },
      },
      grid: { vertLines: { color: grid }, horzLines: { color: grid } },
    });
    const up = colour('--buy');
    const down = colour('--sell');
    this.candles.applyOptions({ upColor: up, downColor: down, wickUpColor: up, wickDownColor: down });
    this.sma.applyOptions({ color: colour('--sma'), title: `SMA ${this.periods.sma}` });
    this.ema.applyOptions({ color: colour('--ema'), title: `EMA ${this.periods.ema}` });
    for (const band of [this.bbUpper, this.bbMiddle, this.bbLower]) band.applyOptions({ color: colour('--band') });
    this.rsi.applyOptions({ color: colour('--rsi'), title: `RSI ${this.periods.rsi}` });
    this.macd.applyOptions({ color: colour('--ema'), title: 'MACD' });
    this.macdSignal.applyOptions({ color: colour('--sma'), title: 'signal' });
  }

  load(candles: readonly Candle[], bucketMs: number, signals: readonly Signal[]): void {
    this.bucketMs = bucketMs;
    this.data = candles.map((candle) => ({ ...candle }));
    this.signals = [...signals];
    this.redraw();
    this.chart.timeScale().scrollToRealTime();
  }

  /** A live tick: extends the current candle or opens the next one. */
  addTick(price: number, ts: number, volume = 0): void {
    const start = ts - (ts % this.bucketMs);
    const last = this.data[this.data.length - 1];
    if (last && start < last.start) return; // older than the chart's last candle: the store has it
    if (last && last.start === start) {
      last.high = Math.max(last.high, price);
      last.low = Math.min(last.low, price);
      last.close = price;
      last.volume += volume;
      last.ticks += 1;
    } else {
      this.data.push({ start, open: price, high: price, low: price, close: price, volume, ticks: 1 });
    }
    this.scheduleRedraw();
  }

  addSignal(signal: Signal): void {
    if (this.signals.some((known) => known.id === signal.id)) return;
    this.signals.push(signal);
    this.scheduleRedraw();
  }

  /** Bars on screen, for tests and the empty state. */
  get barCount(): number {
    return this.data.length;
  }

  private scheduleRedraw(): void {
    if (this.redrawPending) return;
    this.redrawPending = true;
    requestAnimationFrame(() => {
      this.redrawPending = false;
      this.redraw();
    });
  }

  private redraw(): void {
    const { periods } = this;
    const sma = new Sma(periods.sma);
    const ema = new Ema(periods.ema);
    const rsi = new Rsi(periods.rsi);
    const macd = new Macd(periods.macd.fast, periods.macd.slow, periods.macd.signal);
    const bands = new Bollinger(periods.bollinger.period, periods.bollinger.stdDev);
    const out = {
      sma: [] as Point[],
      ema: [] as Point[],
      rsi: [] as Point[],
      macd: [] as Point[],
      signal: [] as Point[],
      upper: [] as Point[],
      middle: [] as Point[],
      lower: [] as Point[],
    };
    const hist: Array<Charts.HistogramData<Charts.UTCTimestamp>> = [];
    const push = (into: Point[], time: Charts.UTCTimestamp, value: number | null) => {
      if (value !== null) into.push({ time, value });
    };
    const buy = colour('--buy');
    const sell = colour('--sell');
    for (const candle of this.data) {
      const time = seconds(candle.start);
      push(out.sma, time, sma.update(candle.close));
      push(out.ema, time, ema.update(candle.close));
      push(out.rsi, time, rsi.update(candle.close));
      macd.update(candle.close);
      push(out.macd, time, macd.macd);
      push(out.signal, time, macd.signal);
      if (macd.histogram !== null) hist.push({ time, value: macd.histogram, color: macd.histogram >= 0 ? buy : sell });
      bands.update(candle.close);
      push(out.upper, time, bands.upper);
      push(out.middle, time, bands.middle);
      push(out.lower, time, bands.lower);
    }
    const last = this.data[this.data.length - 1];
    this.onValues(
      last === undefined
        ? null
        : {
            start: last.start,
            close: last.close,
            sma: sma.value,
            ema: ema.value,
            rsi: rsi.value,
            macd: macd.macd,
            bbUpper: bands.upper,
            bbLower: bands.lower,
          },
    );
    this.candles.setData(this.data.map((c) => ({ time: seconds(c.start), open: c.open, high: c.high, low: c.low, close: c.close })));
    this.sma.setData(out.sma);
    this.ema.setData(out.ema);
    this.rsi.setData(out.rsi);
    this.macd.setData(out.macd);
    this.macdSignal.setData(out.signal);
    this.macdHist.setData(hist);
    this.bbUpper.setData(out.upper);
    this.bbMiddle.setData(out.middle);
    this.bbLower.setData(out.lower);
    this.drawMarkers(buy, sell);
  }

  private drawMarkers(buy: string, sell: string): void {
    const first = this.data[0]?.start ?? Number.POSITIVE_INFINITY;
    const markers = this.signals
      .filter((signal) => signal.ts >= first)
      .sort((a, b) => a.ts - b.ts)
      .map((signal): Charts.SeriesMarker<Charts.Time> => {
        const time = seconds(signal.ts - (signal.ts % this.bucketMs));
        const position = signal.side === 'buy' ? 'belowBar' : 'aboveBar';
        // A crossing changed no stance: a small quiet dot, not an arrow that reads as advice.
        if (signal.kind === 'crossing') return { time, position, shape: 'circle', size: 0.5, color: QUIET, text: '' };
        return {
          time,
          position,
          shape: signal.side === 'buy' ? 'arrowUp' : 'arrowDown',
          color: signal.side === 'buy' ? buy : sell,
          text: signal.side === 'buy' ? 'BUY' : 'SELL',
        };
      });
    this.markers.setMarkers(markers);
    // What the canvas shows, said in the DOM too: for screen readers (and the browser test).
    const buys = markers.filter((marker) => marker.text === 'BUY').length;
    const sells = markers.filter((marker) => marker.text === 'SELL').length;
    const quiet = markers.length - buys - sells;
    const label = `${buys} buy and ${sells} sell markers${quiet > 0 ? `, ${quiet} crossings` : ''}`;
    this.container.dataset.markers = label;
    this.container.setAttribute('aria-label', `Price chart with ${label}`);
  }
}
