// The Strategy view: the active strategy's rules in words, its stance now, and a hypothetical backtest
// of it over the history the appliance holds or a downloaded file on the server: the equity curve
// beside buying and holding, the drawdowns, the report's figures and the trades. Never advice.
import { byId, el, fill, setText } from './dom.js';
import { EquityChart } from './equity-chart.js';
import * as fmt from './format.js';
import type { BacktestAnswer, BacktestReport, StrategyInfo } from './types.js';

const STORE = '';

/** A busy server (one backtest at a time, 503 with Retry-After) is asked again a few times. */
async function getJson<T>(path: string, tries = 4): Promise<T> {
  let response = await fetch(path, { headers: { accept: 'application/json' } });
  for (let attempt = 1; response.status === 503 && attempt < tries; attempt++) {
    const wait = Number(response.headers.get('retry-after') ?? '2');
    await new Promise((resolve) => window.setTimeout(resolve, Math.min(10, Math.max(1, wait)) * 1000));
    response = await fetch(path, { headers: { accept: 'application/json' } });
  }
  const body = (await response.json().catch(() => ({}))) as T & { message?: string };
  if (!response.ok) throw new Error(body.message ?? `${path}: HTTP ${response.status}`);
  return body;
}

/** The report's figures as rows: [key, label, shown text, raw value]. */
function figures(report: BacktestReport): Array<[string, string, string, number | null]> {
  const ratio = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));
  return [
    ['totalReturn', 'Return (strategy)', fmt.gain(report.totalReturn), report.totalReturn],
    ['buyAndHoldReturn', 'Return (buy & hold)', fmt.gain(report.buyAndHoldReturn), report.buyAndHoldReturn],
    ['maxDrawdown', 'Max drawdown (strategy)', fmt.fall(report.maxDrawdown), report.maxDrawdown],
    ['buyAndHoldMaxDrawdown', 'Max drawdown (buy & hold)', fmt.fall(report.buyAndHoldMaxDrawdown), report.buyAndHoldMaxDrawdown],
    ['trades', 'Trades', `${report.trades}${report.openTrade ? ' (last still open)' : ''}`, report.trades],
    ['recommendations', 'Recommendations', String(report.recommendations), report.recommendations],
    ['winRate', 'Win rate', fmt.share(report.winRate), report.winRate],
    ['averageTrade', 'Average trade', fmt.gain(report.averageTrade), report.averageTrade],
    ['medianTrade', 'Median trade', fmt.gain(report.medianTrade), report.medianTrade],
    ['bestTrade', 'Best trade', fmt.gain(report.bestTrade), report.bestTrade],
    ['worstTrade', 'Worst trade', fmt.gain(report.worstTrade), report.worstTrade],
    ['profitFactor', 'Profit factor', ratio(report.profitFactor), report.profitFactor],
    ['exposure', 'Time in the market', fmt.share(report.exposure), report.exposure],
    ['averageHoldingMs', 'Average holding', fmt.duration(report.averageHoldingMs), report.averageHoldingMs],
    ['sharpe', 'Sharpe (annualised)', ratio(report.sharpe), report.sharpe],
    ['sortino', 'Sortino (annualised)', ratio(report.sortino), report.sortino],
    ['candles', `Candles (${report.timeframe})`, String(report.candles), report.candles],
    ['feePercent', 'Fee per fill', `${report.feePercent} %`, report.feePercent],
    ['slippagePercent', 'Slippage per fill', `${report.slippagePercent} %`, report.slippagePercent],
  ];
}

export class StrategyView {
  private chart: EquityChart | undefined;
  private info: StrategyInfo | undefined;
  private serial = 0;

  constructor(private symbol: () => string) {
    byId<HTMLSelectElement>('bt-source').addEventListener('change', () => void this.runBacktest());
  }

  /** Loads the strategy and runs the backtest over the chosen history (the store's by default). */
  async load(): Promise<void> {
    const symbol = this.symbol();
    const info = await getJson<StrategyInfo>(`/api/strategy?${new URLSearchParams({ symbol })}`);
    if (symbol !== this.symbol()) return;
    this.info = info;
    setText('strategy-name', `${info.name} on ${info.timeframe} candles`);
    setText('strategy-stance', info.stance ? fmt.stance(info.stance) : 'no stance yet: the processor has not published one');
    fill(byId('strategy-rules'), ...info.rules.map((rule) => el('li', '', rule)));
    const select = byId<HTMLSelectElement>('bt-source');
    const chosen = select.value;
    const store = el('option', '', `History this appliance holds (${info.storeTimeframe} candles)`);
    store.value = STORE;
    const files = info.files.map((file) => {
      const option = el('option', '', `File ${file.name} (${(file.bytes / 1024).toFixed(0)} kB)`);
      option.value = file.name;
      return option;
    });
    fill(select, store, ...files);
    select.value = info.files.some((file) => file.name === chosen) ? chosen : STORE;
    await this.runBacktest();
  }

  applyTheme(): void {
    this.chart?.applyTheme();
  }

  private async runBacktest(): Promise<void> {
    const serial = ++this.serial;
    const file = byId<HTMLSelectElement>('bt-source').value;
    const params = new URLSearchParams({ symbol: this.symbol() });
    if (file !== STORE) params.set('file', file);
    const view = byId('strategy-view');
    view.dataset.state = 'running';
    setText('bt-status', 'running the backtest…');
    let answer: BacktestAnswer;
    try {
      answer = await getJson<BacktestAnswer>(`/api/backtest?${params}`);
    } catch (error) {
      if (serial !== this.serial) return;
      setText('bt-status', `could not run the backtest: ${(error as Error).message}`);
      view.dataset.state = 'error';
      return;
    }
    if (serial !== this.serial) return;
    this.show(answer);
    view.dataset.state = 'done';
  }

  private show(answer: BacktestAnswer): void {
    const { report, source } = answer;
    const period =
      report.start === null || report.end === null ? 'no prices' : `${fmt.dateTime(report.start)} to ${fmt.dateTime(report.end)}`;
    const from =
      source.kind === 'store'
        ? `${source.candles} ${source.timeframe} candles from this appliance's store`
        : `${source.rows} rows of ${source.name}${source.skipped > 0 ? ` (${source.skipped} skipped: ${source.problems[0] ?? ''})` : ''}`;
    setText('bt-status', report.start === null ? `No history to test yet (${from}).` : `${period}, ${from}.`);
    this.chart ??= new EquityChart(byId('equity-chart'));
    this.chart.show(answer.curve);
    fill(
      byId('bt-figures'),
      ...figures(report).flatMap(([key, label, text, value]) => {
        const dd = el('dd', '', text);
        dd.dataset.key = key;
        dd.dataset.value = value === null ? '' : String(value);
        return [el('dt', '', label), dd];
      }),
    );
    const rows = answer.trades.map((trade) =>
      el(
        'tr',
        trade.return >= 0 ? 'win' : 'loss',
        el('td', '', fmt.dateTime(trade.entryTs)),
        el('td', 'num', fmt.price(trade.entryPrice)),
        el('td', '', trade.open ? 'still open' : fmt.dateTime(trade.exitTs)),
        el('td', 'num opt', fmt.price(trade.exitPrice)),
        el('td', 'num', fmt.gain(trade.return)),
      ),
    );
    fill(byId('bt-trades'), ...(rows.length ? rows : [el('tr', '', el('td', 'empty', 'no trades'))]));
    setText(
      'bt-trades-note',
      report.trades > answer.trades.length ? `(the latest ${answer.trades.length} of ${report.trades}, newest first)` : '(newest first)',
    );
  }
}
