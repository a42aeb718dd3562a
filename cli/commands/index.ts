// Every subcommand, in the order `stock-stream --help` lists them. A role's command joins when it works.
// Each is loaded only when it runs (or its help is asked for): a role's process then holds only the
// modules that role needs (the edge appliance on a Pi counts its megabytes).
import type { Command } from '../command.js';

export interface CommandEntry {
  readonly name: string;
  /** One line for `stock-stream --help` and the command's own help. */
  readonly summary: string;
  load(): Promise<Command>;
}

export const commands: readonly CommandEntry[] = [
  {
    name: 'run',
    summary: 'run the whole appliance in one process: ingest, process, aggregate, notify, edge and the dashboard',
    load: async () => (await import('./run.js')).runCommand,
  },
  {
    name: 'ingest',
    summary: 'run the ingestor: a price source, validated, onto the ticks topic; the rest to the DLQ',
    load: async () => (await import('./ingest.js')).ingestCommand,
  },
  {
    name: 'process',
    summary: 'run the stream processor: ticks in; candles, indicators, recommendations, crossings and alerts out',
    load: async () => (await import('./process.js')).processCommand,
  },
  {
    name: 'aggregate',
    summary: 'run the aggregator: daily figures, candles and the latest snapshot in Redis or SQLite',
    load: async () => (await import('./aggregate.js')).aggregateCommand,
  },
  {
    name: 'notify',
    summary: 'run the notifier: each recommendation and alert to its subscribers by email, SMS, webhooks and the dashboard',
    load: async () => (await import('./notify.js')).notifyCommand,
  },
  {
    name: 'edge',
    summary: 'run the edge appliance: OLED price display, buy/sell LEDs, buzzer and button',
    load: async () => (await import('./edge.js')).edgeCommand,
  },
  {
    name: 'web',
    summary: 'serve the LAN dashboard: live chart, indicators, signals, health and the edge panel',
    load: async () => (await import('./web.js')).webCommand,
  },
  {
    name: 'replay',
    summary: 'run the strategy and alerts over a price CSV (candles, signals, a hypothetical backtest report), without any bus',
    load: async () => (await import('./replay.js')).replayCommand,
  },
  {
    name: 'download',
    summary: "write an exchange's past candles (Coinbase, Kraken) to a CSV that replay reads; run again to resume",
    load: async () => (await import('./download.js')).downloadCommand,
  },
  {
    name: 'stats',
    summary: 'print the daily figures per symbol: open, high, low, close, averages, ticks, volume, signals',
    load: async () => (await import('./stats.js')).statsCommand,
  },
  {
    name: 'notifications',
    summary: 'list recent notification deliveries and their status',
    load: async () => (await import('./notifications.js')).notificationsCommand,
  },
  {
    name: 'tail',
    summary: 'print the messages of a topic as JSON lines',
    load: async () => (await import('./tail.js')).tailCommand,
  },
  {
    name: 'publish',
    summary: 'publish JSON lines from standard input to a topic',
    load: async () => (await import('./publish.js')).publishCommand,
  },
  {
    name: 'check',
    summary: 'check the configuration and that Kafka (or the embedded log), Redis and MQTT answer',
    load: async () => (await import('./check.js')).checkCommand,
  },
  {
    name: 'config',
    summary: 'validate and print the effective configuration, secrets redacted',
    load: async () => (await import('./config.js')).configCommand,
  },
];
