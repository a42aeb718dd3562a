// The dashboard's HTTP app: built files, the read-only JSON API, the SSE stream, and the few
// token-protected controls. Built here, listened elsewhere (dashboard.ts), so tests use inject().
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { addDays, utcDay } from '../../core/aggregate/calendar.js';
import { rollUpCandles, sourceTimeframe } from '../../core/aggregate/derived-candles.js';
import { CANDLE_MS, CANDLE_TIMEFRAMES, candleStart, isCandleTimeframe } from '../../core/candles/timeframe.js';
import type { IndicatorPeriods } from '../../core/indicators/indicator-set.js';
import { SYMBOL_PATTERN } from '../../core/contracts/index.js';
import type { AggregateStore } from '../../platform/store/store.js';
import type { PipelineSettings } from '../../core/pipeline.js';
import type { HistoryFiles } from '../../platform/history/history-files.js';
import type { PanelView } from '../../core/contracts/index.js';
import { chooseEncoding, type AssetSet } from './assets.js';
import type { EventHub } from './event-hub.js';
import type { HealthSource } from './health.js';
import type { DashboardControls } from './notifications.js';
import { registerStrategyRoutes } from './strategy.js';

export interface WebAppOptions {
  readonly store: AggregateStore;
  readonly hub: EventHub;
  readonly health: HealthSource;
  readonly panel: PanelView;
  readonly assets: AssetSet;
  readonly symbols: readonly string[];
  /** Unset: every state-changing endpoint answers 403. */
  readonly token: string | undefined;
  readonly staleSeconds: number;
  readonly historyDays: number;
  /** The chart computes its overlays on candles with the processor's periods. */
  readonly indicatorPeriods: IndicatorPeriods;
  /** The processor's settings (periods, timeframes, strategy, alerts): the Strategy view describes and backtests them. */
  readonly pipeline: PipelineSettings;
  /** Downloaded price files the Strategy view may backtest over. */
  readonly historyFiles: HistoryFiles;
  readonly controls: DashboardControls;
  /** The role's /healthz and /metrics app, answered on the same port. */
  readonly ops?: FastifyInstance;
  /** Sends a test notification (to the dashboard, and through issue 9's channels once wired). */
  readonly testNotification?: () => Promise<void> | void;
  readonly https?: { readonly cert: Buffer; readonly key: Buffer };
  readonly now?: () => number;
}

/** At most this many candles per request; a longer range is cut at its old end. */
export const MAX_CANDLES = 1500;
const DEFAULT_CANDLES = 500;

/** No inline script at all; inline style only for the exact texts hashed (the chart library's logo CSS). */
export function contentSecurityPolicy(styleHashes: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    ["style-src 'self'", ...styleHashes.map((hash) => `'${hash}'`)].join(' '),
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(styleHashes: readonly string[] = []): Readonly<Record<string, string>> {
  return {
    'content-security-policy': contentSecurityPolicy(styleHashes),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
}

const symbolQuery = { type: 'string', pattern: SYMBOL_PATTERN.source } as const;
const msQuery = { type: 'string', pattern: '^\\d{1,15}$' } as const;

export function buildWebApp(options: WebAppOptions): FastifyInstance {
  const now = options.now ?? Date.now;
  // Query values stay strings (checked by pattern); bodies are never coerced, nor unknown fields dropped silently.
  const ajv = { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false } } as const;
  const app = (options.https
    ? Fastify({ logger: false, bodyLimit: 4096, ajv, https: { cert: options.https.cert, key: options.https.key } })
    : Fastify({ logger: false, bodyLimit: 4096, ajv })) as unknown as FastifyInstance;
  app.removeContentTypeParser('text/plain');

  const headers = securityHeaders(options.assets.styleHashes);
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    const code = error.validation ? 'ERR_BAD_REQUEST' : status === 500 ? 'ERR_INTERNAL' : (error.code ?? 'ERR_BAD_REQUEST');
    const message = error.validation
      ? `${error.validationContext ?? 'request'}${error.message.replace(/^(querystring|body|params)/, '')}${allowedValues(error)}`
      : status === 500
        ? 'internal error'
        : error.message;
    void reply.code(status).send({ error: code, message });
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.code(404).send({ error: 'ERR_NOT_FOUND', message: 'no such page' });
  });

  // ---- built files ----
  const sendAsset = (name: string, request: FastifyRequest, reply: FastifyReply) => {
    const asset = options.assets.files.get(name);
    if (!asset) return reply.code(404).send({ error: 'ERR_NOT_FOUND', message: 'no such file' });
    reply.header('etag', asset.etag).header('vary', 'accept-encoding');
    reply.header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    const encoding = chooseEncoding(request.headers['accept-encoding'], asset);
    const body = encoding === 'br' ? asset.brotli! : encoding === 'gzip' ? asset.gzip! : asset.identity;
    if (encoding !== 'identity') reply.header('content-encoding', encoding);
    return reply.type(asset.type).send(body);
  };
  app.get('/', (request, reply) => sendAsset('index.html', request, reply));
  app.get<{ Params: { name: string } }>(
    '/assets/:name',
    {
      schema: {
        params: {
          type: 'object',
          properties: { name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' } },
          required: ['name'],
        },
      },
    },
    (request, reply) =>
      request.params.name === 'index.html'
        ? reply.code(404).send({ error: 'ERR_NOT_FOUND', message: 'no such file' })
        : sendAsset(request.params.name, request, reply),
  );

  // ---- read-only API ----
  const followed = (symbol: string, reply: FastifyReply): boolean => {
    if (options.symbols.includes(symbol)) return true;
    void reply.code(404).send({ error: 'ERR_UNKNOWN_SYMBOL', message: `${symbol} is not followed; try ${options.symbols.join(', ')}` });
    return false;
  };
  const latestTs = async (symbol: string) => (await options.store.latest(symbol))?.tick?.ts ?? now();

  app.get('/api/meta', async () => ({
    symbols: options.symbols,
    timeframes: CANDLE_TIMEFRAMES,
    strategyTimeframe: options.pipeline.strategy.timeframe,
    staleSeconds: options.staleSeconds,
    historyDays: options.historyDays,
    indicators: options.indicatorPeriods,
    controls: { enabled: options.token !== undefined },
  }));

  app.get<{ Querystring: { symbol: string; timeframe: string; from?: string; to?: string } }>(
    '/api/candles',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['symbol', 'timeframe'],
          properties: { symbol: symbolQuery, timeframe: { type: 'string', enum: CANDLE_TIMEFRAMES }, from: msQuery, to: msQuery },
        },
      },
    },
    async (request, reply) => {
      const { symbol, timeframe } = request.query;
      if (!followed(symbol, reply) || !isCandleTimeframe(timeframe)) return reply;
      const size = CANDLE_MS[timeframe];
      const to = request.query.to !== undefined ? Number(request.query.to) : await latestTs(symbol);
      const wanted = Math.max(
        request.query.from !== undefined ? Number(request.query.from) : to - DEFAULT_CANDLES * size,
        to - (MAX_CANDLES - 1) * size,
      );
      if (wanted > to) return reply.code(400).send({ error: 'ERR_BAD_REQUEST', message: 'querystring/from must not be after to' });
      // 15m, 4h and 1d are rolled up from the stored 5m or 1h candles, from the start of the first bucket so that it is whole.
      const source = sourceTimeframe(timeframe);
      const from = source === timeframe ? wanted : candleStart(wanted, size);
      const stored = await options.store.candles(symbol, source, from, to);
      return { symbol, timeframe, from, to, candles: source === timeframe ? stored : rollUpCandles(stored, size) };
    },
  );

  app.get<{ Querystring: { symbol: string; days?: string } }>(
    '/api/daily',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['symbol'],
          properties: { symbol: symbolQuery, days: { type: 'string', pattern: '^\\d{1,3}$' } },
        },
      },
    },
    async (request, reply) => {
      const { symbol } = request.query;
      if (!followed(symbol, reply)) return reply;
      const days = request.query.days === undefined ? options.historyDays : Number(request.query.days);
      if (days < 1 || days > 366) return reply.code(400).send({ error: 'ERR_BAD_REQUEST', message: 'querystring/days must be 1 to 366' });
      const toDay = utcDay(await latestTs(symbol));
      return { symbol, days: await options.store.dailyStats(symbol, addDays(toDay, -(days - 1)), toDay) };
    },
  );

  const symbolOnly = {
    querystring: { type: 'object', additionalProperties: false, required: ['symbol'], properties: { symbol: symbolQuery } },
  };
  app.get<{ Querystring: { symbol: string } }>('/api/latest', { schema: symbolOnly }, async (request, reply) => {
    const { symbol } = request.query;
    if (!followed(symbol, reply)) return reply;
    const latest = await options.store.latest(symbol);
    return {
      symbol,
      tick: latest?.tick ?? null,
      indicators: latest?.indicators ?? null,
      today: latest?.today ?? null,
      freshness: options.health.freshness(symbol),
    };
  });
  app.get<{ Querystring: { symbol: string } }>('/api/signals', { schema: symbolOnly }, async (request, reply) => {
    const { symbol } = request.query;
    if (!followed(symbol, reply)) return reply;
    return { symbol, signals: (await options.store.latest(symbol))?.recentSignals ?? [] };
  });
  registerStrategyRoutes(app, {
    store: options.store,
    symbols: options.symbols,
    pipeline: options.pipeline,
    files: options.historyFiles,
    now,
  });
  app.get('/api/health', async () => options.health.collect());
  app.get('/api/panel', async () => options.panel.snapshot());
  app.get('/api/controls', async () => options.controls);

  app.get('/api/events', { schema: { querystring: { type: 'object', additionalProperties: false, properties: {} } } }, (request, reply) => {
    const header = request.headers['last-event-id'];
    const lastEventId = typeof header === 'string' ? header.slice(0, 64) : undefined;
    reply.hijack();
    options.hub.attach(reply.raw, lastEventId);
  });

  // ---- state-changing controls (token) ----
  const authorised = (request: FastifyRequest, reply: FastifyReply): boolean => {
    if (options.token === undefined) {
      void reply
        .code(403)
        .send({ error: 'ERR_CONTROLS_DISABLED', message: 'controls are disabled: set WEB_TOKEN (or WEB_TOKEN_FILE) to enable them' });
      return false;
    }
    const header = request.headers.authorization;
    const presented = typeof header === 'string' && /^Bearer [\x21-\x7e]{1,512}$/.test(header) ? header.slice(7) : undefined;
    if (presented === undefined || !sameSecret(presented, options.token)) {
      void reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="stock-stream"')
        .send({ error: 'ERR_UNAUTHORISED', message: 'a valid token is required (Authorization: Bearer <token>)' });
      return false;
    }
    return true;
  };

  app.post<{ Body: { minutes: number } }>(
    '/api/controls/mute',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['minutes'],
          properties: { minutes: { type: 'integer', minimum: 0, maximum: 1440 } },
        },
      },
      preValidation: async (request, reply) => {
        if (!authorised(request, reply)) return reply;
      },
    },
    async (request) => {
      options.controls.mutedUntil = request.body.minutes === 0 ? null : now() + request.body.minutes * 60_000;
      options.hub.publish('controls', options.controls);
      return options.controls;
    },
  );

  app.post(
    '/api/controls/test-notification',
    {
      preValidation: async (request, reply) => {
        if (!authorised(request, reply)) return reply;
      },
    },
    async (_request, reply) => {
      await options.testNotification?.();
      return reply.code(202).send({ sent: true });
    },
  );

  if (options.ops) {
    const ops = options.ops;
    for (const path of ['/healthz', '/metrics']) {
      app.get(path, async (_request, reply) => {
        const answer = await ops.inject({ method: 'GET', url: path });
        return reply
          .code(answer.statusCode)
          .type(String(answer.headers['content-type'] ?? 'text/plain'))
          .send(answer.body);
      });
    }
  }
  return app;
}

/** For an enum's refusal, the values it allows (ajv says only "must be equal to one of the allowed values"). */
function allowedValues(error: FastifyError): string {
  const allowed = error.validation?.find((entry) => entry.keyword === 'enum')?.params.allowedValues as unknown;
  return Array.isArray(allowed) ? ` (${allowed.join(', ')})` : '';
}

/** Constant-time comparison of two secrets of any length (their digests are compared). */
export function sameSecret(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
