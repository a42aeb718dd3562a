// The one configuration schema: it gives the Config type, every default and every validation message.
import { z } from 'zod';
import { SYMBOL_PATTERN } from '../../core/contracts/index.js';
import { DEFAULT_INDICATOR_PERIODS as PERIODS } from '../../core/indicators/indicator-set.js';
import { validateAlerts, type AlertConfig } from '../../core/alerts/alert-config.js';
import { CANDLE_TIMEFRAMES } from '../../core/candles/timeframe.js';
import { DEFAULT_STRATEGY, validateStrategy, type StrategyConfig } from '../../core/strategy/strategy-config.js';
import { mqttSchema } from './mqtt-schema.js';
import { notifySchema } from './notify-schema.js';
import { checkStateSize } from './state-size.js';

const symbol = z.string().regex(SYMBOL_PATTERN, 'must look like BTC-USD (2-10 capitals or digits, a dash, 2-10 more)');
const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be 1-249 characters of letters, digits, ".", "_" or "-"');
const period = z.number().int().min(1).max(100_000);
const hostPort = z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'must be host:port');
const urlWithScheme = (schemes: readonly string[]) =>
  z.string().refine(
    (value) => {
      try {
        return schemes.includes(new URL(value).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}` },
  );

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time like 07:30');
const bcmPin = z.number().int().min(0).max(53);

/**
 * Runs one of the core's validators (strategy, alerts), whose errors name the key as
 * "strategy.entry[0].oversold: must be ...", and turns a failure into an issue at the path below
 * the checked key (entry.0.oversold) with the message after it.
 */
function coreCheck(context: z.RefinementCtx, validate: () => void): void {
  try {
    validate();
  } catch (error) {
    const [where = '', ...rest] = String((error as Error).message).split(': ');
    const path = where
      .replace(/\[(\d+)\]/g, '.$1')
      .split('.')
      .slice(1)
      .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
    context.addIssue({ code: 'custom', message: rest.join(': '), path });
  }
}

export const ConfigSchema = z
  .object({
    /** Symbols followed by every role. Bitcoin first; nothing assumes one symbol. */
    symbols: z.array(symbol).min(1, 'must list at least one symbol').default(['BTC-USD']),
    /** Where single-node data lives (embedded log, SQLite store). */
    dataDir: z.string().min(1).default('./data'),
    log: z
      .object({
        level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
      })
      .strict()
      .prefault({}),
    http: z
      .object({
        host: z.string().min(1).default('0.0.0.0'),
        port: z.number().int().min(0).max(65535).default(8080),
      })
      .strict()
      .prefault({}),
    /** The LAN dashboard (`stock-stream web`, docs/dashboard.md); it serves on http.host:http.port. */
    web: z
      .object({
        /** Names the reader group of the dashboard's virtual OLED panel (`<group>.panel`); the live feed itself reads outside any group, so every dashboard gets every message. */
        group: z
          .string()
          .regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be letters, digits, ".", "_" or "-"')
          .default('stock-stream-web'),
        /** Secret: only from WEB_TOKEN or WEB_TOKEN_FILE. Unset: state-changing endpoints are refused. */
        token: z.string().min(16, 'must be at least 16 characters').max(512).optional(),
        /** PEM files; both set: HTTPS. */
        tls: z
          .object({ certFile: z.string().min(1).optional(), keyFile: z.string().min(1).optional() })
          .strict()
          .refine((tls) => (tls.certFile === undefined) === (tls.keyFile === undefined), {
            message: 'set both certFile and keyFile, or neither',
            path: ['certFile'],
          })
          .prefault({}),
        /** Live (SSE) connections served at once; more are refused with 503. */
        maxClients: z.number().int().min(1).max(10_000).default(100),
        /** No tick for this long: the dashboard marks the price STALE. */
        staleSeconds: z.number().positive().max(86_400).default(30),
        /** Days in the "last days" table. */
        historyDays: z.number().int().min(1).max(366).default(7),
        /** Downloaded price files the Strategy view can backtest over (unset: <dataDir>/history). Only files directly in it. */
        historyDir: z.string().min(1).optional(),
        /** A history file larger than this many MiB is refused (bounds one backtest's work). */
        backtestMaxMiB: z.number().int().min(1).max(1024).default(64),
        /** Other roles' /healthz URLs shown on the health panel, by name (cluster mode). */
        roles: z
          .record(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a short lower-case name'), urlWithScheme(['http', 'https']))
          .default({}),
      })
      .strict()
      .prefault({}),
    topics: z
      .object({
        ticks: topicName.default('stock.ticks'),
        indicators: topicName.default('stock.indicators'),
        signals: topicName.default('stock.signals'),
        dlq: topicName.default('stock.ticks.dlq'),
        /** The processor's compacted state changelog (exactly-once recovery). */
        processorState: topicName.default('stock.processor.state'),
        /** The notifier's dashboard notifications, which every web role reads (deduplicated by id). */
        notifications: topicName.default('stock.notifications'),
      })
      .strict()
      .prefault({}),
    kafka: z
      .object({
        /** Set: the Kafka bus. Unset: the embedded log. */
        brokers: z.array(hostPort).min(1, 'must list at least one host:port').optional(),
        clientId: z.string().min(1).default('stock-stream'),
        partitions: z.number().int().min(1).max(1000).default(3),
        replicationFactor: z.number().int().min(1).max(5).default(1),
        /** How long start-up waits for the first connection before it gives up. */
        connectTimeoutMs: z.number().int().min(100).max(600_000).default(10_000),
        /** SASL/SCRAM authentication to the brokers (docs/deployment.md#who-may-talk-to-the-bus); unset username: none. */
        sasl: z
          .object({
            mechanism: z.enum(['scram-sha-512', 'scram-sha-256']).default('scram-sha-512'),
            username: z
              .string()
              .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_" or "-"')
              .optional(),
            /** Secret: only from KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE. */
            password: z.string().min(1).max(1024).optional(),
          })
          .strict()
          // A username without its password is refused when the bus opens (platform/bus/select.ts), not
          // here: the manifests' config.yaml names the user, and the pod's Secret brings the password.
          .refine((sasl) => sasl.password === undefined || sasl.username !== undefined, {
            message: 'a password without a username: set kafka.sasl.username (KAFKA_SASL_USERNAME) too',
            path: ['password'],
          })
          .prefault({}),
      })
      .strict()
      .prefault({}),
    embeddedLog: z
      .object({
        partitions: z.number().int().min(1).max(64).default(1),
        /** Messages older than this are deleted; consumers further behind lose them, as with Kafka. */
        retentionHours: z
          .number()
          .min(1)
          .max(24 * 365)
          .default(168),
        /**
         * `stock-stream run` groups its writes into one commit at most this often (0: every write
         * commits), sparing an SD card; a crash loses the last group at most, whole.
         */
        commitIntervalSeconds: z.number().min(0).max(10).default(5),
      })
      .strict()
      .prefault({}),
    redis: z
      .object({
        /**
         * Set: Redis holds aggregates and shared state. Unset: SQLite in dataDir. A password written
         * in it (redis://:pw@host) works but is better set as redis.password.
         */
        url: urlWithScheme(['redis', 'rediss']).optional(),
        /** The ACL user (Redis 6+); unset: the default user, which is what requirepass protects. */
        username: z
          .string()
          .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_" or "-"')
          .optional(),
        /** Secret: only from REDIS_PASSWORD or REDIS_PASSWORD_FILE; over any password in the URL. */
        password: z.string().min(1).max(1024).optional(),
      })
      .strict()
      .prefault({}),
    /** The MQTT bridge of the edge role and Home Assistant discovery (docs/mqtt.md). */
    mqtt: mqttSchema,
    /** Indicator periods (TA-Lib conventions). */
    indicators: z
      .object({
        sma: period.default(PERIODS.sma),
        ema: period.default(PERIODS.ema),
        rsi: period.default(PERIODS.rsi),
        macd: z
          .object({
            fast: period.default(PERIODS.macd.fast),
            slow: period.default(PERIODS.macd.slow),
            signal: period.default(PERIODS.macd.signal),
          })
          .strict()
          .refine((macd) => macd.fast < macd.slow, { message: 'fast must be shorter than slow', path: ['fast'] })
          .prefault({}),
        bollinger: z
          .object({
            period: period.default(PERIODS.bollinger.period),
            stdDev: z.number().positive().max(10).default(PERIODS.bollinger.stdDev),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** Candle timeframes to follow besides the strategy's own (shown on the dashboard, replayed). */
    timeframes: z.array(z.enum(CANDLE_TIMEFRAMES)).max(CANDLE_TIMEFRAMES.length).default([]),
    /** The strategy: entry and exit conditions on candles, one stance per symbol; see docs/signals.md. */
    strategy: z
      .object({
        name: z.string().default(DEFAULT_STRATEGY.name),
        timeframe: z.enum(CANDLE_TIMEFRAMES).default(DEFAULT_STRATEGY.timeframe),
        entry: z.array(z.record(z.string(), z.unknown())).default(DEFAULT_STRATEGY.entry.map((rule) => ({ ...rule }))),
        exit: z.array(z.record(z.string(), z.unknown())).default(DEFAULT_STRATEGY.exit.map((rule) => ({ ...rule }))),
        stopLossPercent: z.number().nullable().default(DEFAULT_STRATEGY.stopLossPercent),
        takeProfitPercent: z.number().nullable().default(DEFAULT_STRATEGY.takeProfitPercent),
        minHoldMinutes: z.number().default(DEFAULT_STRATEGY.minHoldMinutes),
      })
      .strict()
      .prefault({})
      .superRefine((strategy, context) => coreCheck(context, () => validateStrategy(strategy as unknown as StrategyConfig)))
      .transform((strategy) => strategy as unknown as StrategyConfig),
    /** Price alerts (docs/signals.md#alerts): levels, moves, new highs and lows. None by default. */
    alerts: z
      .array(z.record(z.string(), z.unknown()))
      .max(100)
      .default([])
      .transform((alerts) => alerts.map((alert) => ({ hysteresisPercent: 0.5, cooldownMinutes: 60, ...alert })))
      .superRefine((alerts, context) => coreCheck(context, () => validateAlerts(alerts as unknown as AlertConfig[])))
      .transform((alerts) => alerts as unknown as AlertConfig[]),
    /** The warm start (docs/processing.md#warm-start): each symbol's timeframes filled from history before live ticks. */
    warmup: z
      .object({
        enabled: z.boolean().default(true),
        /**
         * Tried in order; each later source only for what the earlier ones lacked. store: the
         * aggregator's candles; exchange: the REST candles of the exchange the live source reads
         * (coinbase or kraken; none for the simulator, a replay or Alpha Vantage); or one named.
         */
        sources: z
          .array(z.enum(['store', 'exchange', 'coinbase', 'kraken']))
          .max(4)
          .refine((list) => new Set(list).size === list.length, { message: 'must not name a source twice' })
          .default(['store']),
        /** At most this many candles per timeframe (the indicators' periods decide how many are wanted). */
        maxCandles: z.number().int().min(1).max(10_000).default(1000),
        /** Nothing older than this many days. */
        maxAgeDays: z.number().positive().max(3650).default(60),
        /** One source's answer to one range may take this long before it is passed over. */
        timeoutSeconds: z.number().positive().max(600).default(20),
      })
      .strict()
      .prefault({}),
    process: z
      .object({
        /** Consumer group of the processors; instances in one group split the partitions. */
        group: z
          .string()
          .regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be letters, digits, ".", "_" or "-"')
          .default('stock-stream-processor'),
      })
      .strict()
      .prefault({}),
    aggregate: z
      .object({
        /** Consumer group of the aggregators (ticks, signals and indicators topics). */
        group: z
          .string()
          .regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be letters, digits, ".", "_" or "-"')
          .default('stock-stream-aggregator'),
        /** Every Redis key starts with `<keyPrefix>:`. */
        keyPrefix: z
          .string()
          .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_" or "-"')
          .default('stock'),
        /** Days of candles kept per timeframe, counted back from the symbol's newest tick; daily figures are kept for good. */
        candles1mDays: z.number().min(1).max(3650).default(7),
        candles5mDays: z.number().min(1).max(3650).default(30),
        candles1hDays: z.number().min(1).max(3650).default(365),
        /** Signals kept in each symbol's recent list. */
        recentSignals: z.number().int().min(1).max(10_000).default(50),
        /** A tick, signal or indicator record later than now + this is refused as from the future. */
        maxClockSkewSeconds: z.number().min(0).max(3600).default(60),
      })
      .strict()
      .prefault({}),
    /** Notifications: subscribers and their channels (docs/notifications.md). */
    notify: notifySchema,
    ingest: z
      .object({
        /** coinbase, kraken, alphavantage, simulator or replay:<file.csv>. */
        source: z
          .string()
          .regex(
            /^(coinbase|kraken|alphavantage|simulator|replay:.+)$/,
            'must be coinbase, kraken, alphavantage, simulator or replay:<file.csv>',
          )
          .default('coinbase'),
        /**
         * Seconds between polls or simulated ticks (MESSAGE_INTERVAL in the original specification).
         * Unset: the simulator ticks every second and Alpha Vantage polls as often as its plan allows.
         */
        intervalSeconds: z.number().positive().max(86_400).optional(),
        /** No message from a live source for this long: reported stale in logs, /healthz and /metrics. */
        staleAfterSeconds: z.number().positive().max(86_400).default(30),
        /** A tick later than now + this is refused as from the future. */
        maxClockSkewSeconds: z.number().min(0).max(3600).default(10),
        /** A live tick older than this is refused (replayed files keep their own times). */
        maxAgeSeconds: z
          .number()
          .positive()
          .max(365 * 86_400)
          .default(3600),
        coinbase: z
          .object({ url: urlWithScheme(['wss', 'ws']).default('wss://ws-feed.exchange.coinbase.com') })
          .strict()
          .prefault({}),
        kraken: z
          .object({ url: urlWithScheme(['wss', 'ws']).default('wss://ws.kraken.com/v2') })
          .strict()
          .prefault({}),
        alphavantage: z
          .object({
            url: urlWithScheme(['https', 'http']).default('https://www.alphavantage.co/query'),
            /** Secret: only from ALPHAVANTAGE_API_KEY or ALPHAVANTAGE_API_KEY_FILE. */
            apiKey: z.string().min(1).optional(),
            /** Requests a day the plan allows (free: 25); with requestsPerMinute the tighter bound rules. */
            requestsPerDay: z.number().int().positive().optional(),
            /** Requests a minute the plan allows (the cheapest paid plan: 75). */
            requestsPerMinute: z.number().int().positive().optional(),
          })
          .strict()
          .prefault({}),
        simulator: z
          .object({
            seed: z
              .number()
              .int()
              .min(0)
              .max(2 ** 32 - 1)
              .default(1),
            startPrice: z.number().positive().max(1e9).default(60_000),
          })
          .strict()
          .prefault({}),
        replay: z
          .object({
            /** 1 = real time, N = N times faster, 0 = as fast as possible. */
            speed: z.number().min(0).max(1e6).default(1),
          })
          .strict()
          .prefault({}),
        outbox: z
          .object({
            /** Ticks kept on disk while the bus is unreachable; past it the oldest are dropped (and counted). */
            maxTicks: z.number().int().min(100).max(100_000_000).default(1_000_000),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** The edge appliance: OLED, LEDs, buzzer and button (docs/edge.md). */
    edge: z
      .object({
        /** auto: hardware when present, else virtual; required: fail without it; virtual: never touch it. */
        hardware: z.enum(['auto', 'required', 'virtual']).default('auto'),
        /** The edge's own reader group (it reads from the latest message; each edge device its own). */
        group: z
          .string()
          .regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be letters, digits, ".", "_" or "-"')
          .default('stock-stream-edge'),
        display: z
          .object({
            i2cBus: z.number().int().min(0).max(255).default(1),
            /** 0x3C (60) on most modules, 0x3D on some. */
            address: z.number().int().min(0x03).max(0x77).default(0x3c),
            width: z.literal(128).default(128),
            height: z.union([z.literal(64), z.literal(32)]).default(64),
            /** Daytime brightness, percent. */
            brightness: z.number().min(0).max(100).default(80),
            pageSeconds: z.number().min(1).max(3600).default(8),
            /** The frame moves a pixel this often against burn-in; 0 never. */
            shiftMinutes: z.number().min(0).max(1440).default(2),
            night: z
              .object({
                mode: z.enum(['none', 'dim', 'off']).default('dim'),
                start: clockTime.default('23:00'),
                end: clockTime.default('07:00'),
                brightness: z.number().min(0).max(100).default(5),
              })
              .strict()
              .prefault({}),
          })
          .strict()
          .prefault({}),
        gpio: z
          .object({
            /** Where sysfs GPIO lives (tests point it at a fake tree). */
            root: z.string().min(1).default('/sys/class/gpio'),
            /** Label of the GPIO chip; unset: the Pi's (pinctrl-rp1, -bcm2712, -bcm2711, -bcm2835). */
            chipLabel: z.string().min(1).optional(),
            /** BCM pin numbers. */
            buyLed: bcmPin.default(17),
            sellLed: bcmPin.default(27),
            buzzer: bcmPin.nullable().default(22),
            button: bcmPin.nullable().default(23),
            buttonActiveLow: z.boolean().default(true),
          })
          .strict()
          .refine(
            (gpio) => {
              const used = [gpio.buyLed, gpio.sellLed, gpio.buzzer, gpio.button].filter((pin) => pin !== null);
              return new Set(used).size === used.length;
            },
            { message: 'each pin may be used once', path: ['buyLed'] },
          )
          .prefault({}),
        alerts: z
          .object({
            blinkSeconds: z.number().min(0).max(3600).default(30),
            cooldownSeconds: z.number().min(0).max(86_400).default(60),
            /** A signal older than this on arrival lights its LED without blinking or beeping. */
            maxSignalAgeSeconds: z.number().min(1).max(86_400).default(300),
            /** The buzzer stays silent between these local times; unset: never. */
            quietHours: z.object({ start: clockTime, end: clockTime }).strict().optional(),
          })
          .strict()
          .prefault({}),
        /** No tick for this long: the display marks the price STALE. */
        staleSeconds: z.number().positive().max(86_400).default(30),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  // The processor's state snapshot must fit one bus message. Zod runs this even when a key below
  // failed its own check (macd.fast >= slow), and no pipeline can be built from that: its issue is the one to report.
  .superRefine((config, context) => {
    if (context.issues.length === 0) checkStateSize(config, context);
  })
  // After the keys' own checks, as above: each subscriber's alerts are then a list of names or 'all'.
  .superRefine((config, context) => {
    if (context.issues.length === 0) checkSubscriberAlerts(config.notify.subscribers, config.alerts, context);
  });

export type Config = z.infer<typeof ConfigSchema>;

/** A subscriber's `alerts` must name configured alerts: a misspelt one would silently take nothing. */
function checkSubscriberAlerts(
  subscribers: ReadonlyArray<{ readonly alerts: 'all' | readonly string[] }>,
  alerts: readonly AlertConfig[],
  context: z.RefinementCtx,
): void {
  const known = alerts.map((alert) => alert.name);
  subscribers.forEach((sub, i) => {
    if (sub.alerts === 'all') return;
    sub.alerts.forEach((name, j) => {
      if (known.includes(name)) return;
      const message = `no alert named ${name} in alerts (${known.length > 0 ? `configured: ${known.join(', ')}` : 'none configured'})`;
      context.addIssue({ code: 'custom', message, path: ['notify', 'subscribers', i, 'alerts', j] });
    });
  });
}

/** Keys whose values are secrets: never accepted from the config file, never logged. */
export const SECRET_PATHS = [
  'mqtt.password',
  'mqtt.commands.token',
  'ingest.alphavantage.apiKey',
  'notify.email.password',
  'notify.sms.authToken',
  'web.token',
  'kafka.sasl.password',
  'redis.password',
] as const;

export type EnvParser = 'string' | 'number' | 'csv';

/** Environment variables that override the config file, with the key each one sets. */
export const ENV_OVERRIDES: ReadonlyArray<{ env: string; path: string; parse: EnvParser; secret?: boolean }> = [
  { env: 'STOCK_STREAM_SYMBOLS', path: 'symbols', parse: 'csv' },
  { env: 'STOCK_STREAM_DATA_DIR', path: 'dataDir', parse: 'string' },
  { env: 'LOG_LEVEL', path: 'log.level', parse: 'string' },
  { env: 'HOST', path: 'http.host', parse: 'string' },
  { env: 'PORT', path: 'http.port', parse: 'number' },
  { env: 'WEB_TOKEN', path: 'web.token', parse: 'string', secret: true },
  { env: 'WEB_TLS_CERT', path: 'web.tls.certFile', parse: 'string' },
  { env: 'WEB_TLS_KEY', path: 'web.tls.keyFile', parse: 'string' },
  { env: 'KAFKA_BOOTSTRAP_SERVERS', path: 'kafka.brokers', parse: 'csv' },
  { env: 'KAFKA_TOPIC', path: 'topics.ticks', parse: 'string' },
  { env: 'KAFKA_PARTITIONS', path: 'kafka.partitions', parse: 'number' },
  { env: 'KAFKA_REPLICATION_FACTOR', path: 'kafka.replicationFactor', parse: 'number' },
  { env: 'KAFKA_SASL_MECHANISM', path: 'kafka.sasl.mechanism', parse: 'string' },
  { env: 'KAFKA_SASL_USERNAME', path: 'kafka.sasl.username', parse: 'string' },
  { env: 'KAFKA_SASL_PASSWORD', path: 'kafka.sasl.password', parse: 'string', secret: true },
  { env: 'MESSAGE_INTERVAL', path: 'ingest.intervalSeconds', parse: 'number' },
  { env: 'STOCK_STREAM_SOURCE', path: 'ingest.source', parse: 'string' },
  { env: 'ALPHAVANTAGE_URL', path: 'ingest.alphavantage.url', parse: 'string' },
  { env: 'ALPHAVANTAGE_API_KEY', path: 'ingest.alphavantage.apiKey', parse: 'string', secret: true },
  { env: 'REDIS_URL', path: 'redis.url', parse: 'string' },
  { env: 'REDIS_USERNAME', path: 'redis.username', parse: 'string' },
  { env: 'REDIS_PASSWORD', path: 'redis.password', parse: 'string', secret: true },
  { env: 'MQTT_URL', path: 'mqtt.url', parse: 'string' },
  { env: 'MQTT_USERNAME', path: 'mqtt.username', parse: 'string' },
  { env: 'MQTT_PASSWORD', path: 'mqtt.password', parse: 'string', secret: true },
  { env: 'MQTT_BASE_TOPIC', path: 'mqtt.baseTopic', parse: 'string' },
  { env: 'MQTT_DEVICE_ID', path: 'mqtt.deviceId', parse: 'string' },
  { env: 'MQTT_COMMAND_TOKEN', path: 'mqtt.commands.token', parse: 'string', secret: true },
  { env: 'EDGE_HARDWARE', path: 'edge.hardware', parse: 'string' },
  { env: 'SMTP_HOST', path: 'notify.email.host', parse: 'string' },
  { env: 'SMTP_PORT', path: 'notify.email.port', parse: 'number' },
  { env: 'SMTP_USER', path: 'notify.email.user', parse: 'string' },
  { env: 'SMTP_PASSWORD', path: 'notify.email.password', parse: 'string', secret: true },
  { env: 'SMS_BASE_URL', path: 'notify.sms.baseUrl', parse: 'string' },
  { env: 'SMS_ACCOUNT_SID', path: 'notify.sms.accountSid', parse: 'string' },
  { env: 'SMS_AUTH_TOKEN', path: 'notify.sms.authToken', parse: 'string', secret: true },
];
