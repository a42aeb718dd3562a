// The backtest's picture: the hypothetical account beside buying and holding (the value of 100 put in
// at the start), and below it both drawdowns, in percent below their peaks.
import type * as Charts from 'lightweight-charts';
import type { EquityPoint } from './types.js';

declare const LightweightCharts: typeof Charts;

type Series = Charts.ISeriesApi<Charts.SeriesType, Charts.Time>;

const seconds = (ms: number) => Math.floor(ms / 1000) as Charts.UTCTimestamp;
const colour = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
const localDay = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const localFull = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

export class EquityChart {
  private readonly chart: Charts.IChartApi;
  private readonly equity: Series;
  private readonly hold: Series;
  private readonly drawdown: Series;
  private readonly holdDrawdown: Series;

  constructor(private readonly container: HTMLElement) {
    const L = LightweightCharts;
    this.chart = L.createChart(container, {
      autoSize: true,
      layout: { attributionLogo: true, fontSize: 11 },
      timeScale: {
        timeVisible: true,
        secondsVisible: false,
        tickMarkFormatter: (time: Charts.Time) => localDay.format(new Date((time as number) * 1000)),
      },
      localization: { timeFormatter: (time: Charts.Time) => localFull.format(new Date((time as number) * 1000)) },
      rightPriceScale: { borderVisible: false },
    });
    const percent = { type: 'custom' as const, formatter: (x: number) => `${x.toFixed(1)} %`, minMove: 0.01 };
    const line = (pane: number, extra: Charts.DeepPartial<Charts.LineSeriesOptions>) =>
      this.chart.addSeries(L.LineSeries, { lineWidth: 2, priceLineVisible: false, crosshairMarkerVisible: true, ...extra }, pane);
    this.equity = line(0, { title: 'strategy' });
    this.hold = line(0, { title: 'buy & hold', lineStyle: L.LineStyle.Dashed });
    this.drawdown = line(1, { title: 'drawdown', lineWidth: 1, priceFormat: percent });
    this.holdDrawdown = line(1, { title: 'b&h drawdown', lineWidth: 1, lineStyle: L.LineStyle.Dashed, priceFormat: percent });
    this.chart.panes()[0]?.setStretchFactor(0.68);
    this.chart.panes()[1]?.setStretchFactor(0.32);
    this.applyTheme();
    // The whole period stays in view when the width changes (a phone turned, a window resized).
    new ResizeObserver(() => this.chart.timeScale().fitContent()).observe(container);
  }

  applyTheme(): void {
    const grid = colour('--grid');
    this.chart.applyOptions({
      layout: { background: { type: LightweightCharts.ColorType.Solid, color: colour('--panel') }, textColor: colour('--text') },
      grid: { vertLines: { color: grid }, horzLines: { color: grid } },
    });
    this.equity.applyOptions({ color: colour('--accent') });
    this.hold.applyOptions({ color: colour('--muted') });
    this.drawdown.applyOptions({ color: colour('--sell') });
    this.holdDrawdown.applyOptions({ color: colour('--muted') });
  }

  show(curve: readonly EquityPoint[]): void {
    const at = (pick: (p: EquityPoint) => number) => curve.map((p) => ({ time: seconds(p.ts), value: pick(p) }));
    this.equity.setData(at((p) => p.equity * 100));
    this.hold.setData(at((p) => p.hold * 100));
    this.drawdown.setData(at((p) => -p.drawdown * 100));
    this.holdDrawdown.setData(at((p) => -p.holdDrawdown * 100));
    this.chart.timeScale().fitContent();
    this.container.dataset.points = String(curve.length);
  }
}
