// Configuration: defaults, file + environment, the original specification's names, secrets, and bad input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig, redactConfig, type Env } from '../../platform/config/load.js';

const files = (map: Record<string, string>) => (path: string) => {
  const text = map[path];
  if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  return text;
};

function failure(env: Env, readFile = files({})): string {
  try {
    loadConfig({ env, readFile });
  } catch (error) {
    assert.instance(error, ConfigError);
    const message = (error as Error).message;
    assert.not.match(message, /\n/, 'one line');
    return message;
  }
  throw new Error('expected a ConfigError');
}

test('defaults: Bitcoin, embedded log and SQLite, dashboard on 8080', () => {
  const config = loadConfig({ env: {} });
  assert.equal(config.symbols, ['BTC-USD']);
  assert.is(config.kafka.brokers, undefined);
  assert.is(config.redis.url, undefined);
  assert.is(config.http.port, 8080);
  assert.equal(config.topics, {
    ticks: 'stock.ticks',
    indicators: 'stock.indicators',
    signals: 'stock.signals',
    dlq: 'stock.ticks.dlq',
    processorState: 'stock.processor.state',
    notifications: 'stock.notifications',
  });
  assert.equal(config.indicators, {
    sma: 20,
    ema: 20,
    rsi: 14,
    macd: { fast: 12, slow: 26, signal: 9 },
    bollinger: { period: 20, stdDev: 2 },
  });
  assert.is(config.strategy.name, 'bollinger-1h');
  assert.is(config.strategy.stopLossPercent, 5);
  assert.is(config.strategy.timeframe, '1h');
  assert.equal(config.timeframes, []);
  assert.is(config.process.group, 'stock-stream-processor');
  assert.is(config.ingest.intervalSeconds, undefined);
  assert.is(config.ingest.source, 'coinbase');
  assert.is(config.dataDir, './data');
});

test("the original specification's environment names keep working", () => {
  const config = loadConfig({
    env: { KAFKA_BOOTSTRAP_SERVERS: 'kafka-0.kafka:9092, kafka-1.kafka:9092', KAFKA_TOPIC: 'btc.prices', MESSAGE_INTERVAL: '2.5' },
  });
  assert.equal(config.kafka.brokers, ['kafka-0.kafka:9092', 'kafka-1.kafka:9092']);
  assert.is(config.topics.ticks, 'btc.prices');
  assert.is(config.ingest.intervalSeconds, 2.5);
});

test('REDIS_URL, MQTT_URL, STOCK_STREAM_DATA_DIR and PORT override the file', () => {
  const readFile = files({
    '/etc/ss.yaml': 'dataDir: /var/lib/a\nhttp:\n  port: 9000\nredis:\n  url: redis://file:6379\nsymbols: [BTC-USD, ETH-USD]\n',
  });
  const config = loadConfig({
    env: {
      STOCK_STREAM_CONFIG: '/etc/ss.yaml',
      REDIS_URL: 'redis://env:6379',
      MQTT_URL: 'mqtts://broker:8883',
      STOCK_STREAM_DATA_DIR: '/data',
      PORT: '8081',
    },
    readFile,
  });
  assert.is(config.redis.url, 'redis://env:6379');
  assert.is(config.mqtt.url, 'mqtts://broker:8883');
  assert.is(config.dataDir, '/data');
  assert.is(config.http.port, 8081);
  assert.equal(config.symbols, ['BTC-USD', 'ETH-USD'], 'the rest of the file stays');
});

test('a JSON config file works too, and an empty variable counts as unset', () => {
  const config = loadConfig({
    env: { KAFKA_BOOTSTRAP_SERVERS: '' },
    file: '/c.json',
    readFile: files({ '/c.json': '{"kafka": {"brokers": ["k:9092"], "partitions": 6}}' }),
  });
  assert.equal(config.kafka.brokers, ['k:9092']);
  assert.is(config.kafka.partitions, 6);
});

test('bad values fail with one line naming the key and where it came from', () => {
  assert.is(failure({ PORT: 'eighty' }), 'PORT (http.port): must be a number, got "eighty"');
  assert.is(failure({ PORT: '70000' }), 'http.port: Too big: expected number to be <=65535 (from PORT)');
  assert.match(failure({ KAFKA_BOOTSTRAP_SERVERS: 'no-port' }), /^kafka\.brokers\.0: must be host:port \(from KAFKA_BOOTSTRAP_SERVERS\)$/);
  assert.match(failure({ REDIS_URL: 'http://x' }), /^redis\.url: must be a URL starting with redis:\/\/ or rediss:\/\//);
  assert.match(failure({ MQTT_URL: 'not a url' }), /^mqtt\.url: must be a URL/);
  assert.match(failure({ MESSAGE_INTERVAL: '0' }), /^ingest\.intervalSeconds: .* \(from MESSAGE_INTERVAL\)$/);
  assert.match(failure({ KAFKA_TOPIC: 'bad topic!' }), /^topics\.ticks: must be 1-249 characters/);
  assert.match(failure({ STOCK_STREAM_SYMBOLS: 'BTC-USD,bitcoin' }), /^symbols\.1: must look like BTC-USD/);
  assert.match(failure({ LOG_LEVEL: 'loud' }), /^log\.level: /);
});

test('mqtt: the throttle and entity-command defaults, and the dashboard link checked', () => {
  const { mqtt } = loadConfig({ env: {} });
  assert.equal(
    [mqtt.throttleSeconds, mqtt.throttleMoveFraction, mqtt.commands.allowEntities, mqtt.configurationUrl],
    [10, 0.005, false, undefined],
  );
  const env = { STOCK_STREAM_CONFIG: '/c.yaml' };
  const yaml = (text: string) => failure(env, files({ '/c.yaml': text }));
  assert.match(yaml('mqtt:\n  configurationUrl: ftp://pi.local/\n'), /^mqtt\.configurationUrl: must be a URL starting with http/);
  assert.match(yaml('mqtt:\n  throttleSeconds: -1\n'), /^mqtt\.throttleSeconds: /);
});

test('the config file: unknown keys, wrong types, unreadable or malformed files', () => {
  const env = { STOCK_STREAM_CONFIG: '/c.yaml' };
  assert.is(failure(env, files({ '/c.yaml': 'kafka:\n  bootstrap: x:1\n' })), 'kafka.bootstrap: unknown key (in /c.yaml)');
  assert.is(failure(env, files({ '/c.yaml': 'colour: blue\n' })), 'colour: unknown key (in /c.yaml)');
  assert.is(failure(env, files({ '/c.yaml': 'http:\n  port: "8080"\n' })), 'http.port: must be number (in /c.yaml)');
  assert.is(failure(env, files({})), 'config file /c.yaml: cannot read it (ENOENT)');
  assert.match(failure(env, files({ '/c.yaml': 'http: [unclosed\n' })), /^config file \/c\.yaml: not valid YAML or JSON: /);
  assert.is(failure(env, files({ '/c.yaml': '- a\n- b\n' })), 'config file /c.yaml: must be a mapping of keys to values, not a list');
  assert.is(failure(env, files({ '/c.yaml': '42\n' })), 'config file /c.yaml: must be a mapping of keys to values, not a number');
});

test('indicator periods and signal rules are checked with the key named', () => {
  const env = { STOCK_STREAM_CONFIG: '/c.yaml' };
  assert.is(
    failure(env, files({ '/c.yaml': 'indicators:\n  macd: {fast: 30}\n' })),
    'indicators.macd.fast: fast must be shorter than slow (in /c.yaml)',
  );
  assert.match(failure(env, files({ '/c.yaml': 'indicators:\n  rsi: 0\n' })), /^indicators\.rsi: /);
  const rule = (oversold: number) =>
    `strategy:\n  entry:\n    - {type: rsi, name: r, oversold: ${oversold}, overbought: 70, hysteresis: 2, confirmTicks: 1, cooldownMs: 0}\n`;
  assert.is(loadConfig({ env, readFile: files({ '/c.yaml': rule(30) }) }).strategy.entry.length, 1, 'a list replaces the defaults');
  assert.is(failure(env, files({ '/c.yaml': rule(80) })), 'strategy.entry.0.oversold: must be below overbought (in /c.yaml)');
  assert.match(
    failure(env, files({ '/c.yaml': 'strategy:\n  exit:\n    - {type: moon, name: x, confirmTicks: 1, cooldownMs: 0}\n' })),
    /^strategy\.exit\.0\.type: unknown rule type "moon"/,
  );
  assert.match(failure(env, files({ '/c.yaml': 'strategy:\n  entry: []\n' })), /^strategy\.entry: must list at least one condition/);
  assert.match(failure(env, files({ '/c.yaml': 'strategy:\n  timeframe: 2h\n' })), /^strategy\.timeframe: /);
  assert.match(failure(env, files({ '/c.yaml': 'rules: []\n' })), /rules/);
});

test('notify subscribers: kinds and alerts by name, checked against the configured alerts, naming the key', () => {
  const env = { STOCK_STREAM_CONFIG: '/c.yaml' };
  const alerts =
    'alerts:\n  - { type: above, name: btc-100k, price: 100000 }\n  - { type: move, name: day-5pct, percent: 5, window: day }\n';
  const withSubscriber = (keys: string, configured = alerts) =>
    files({ '/c.yaml': `${configured}notify:\n  subscribers:\n    - { name: a, channels: [dashboard]${keys} }\n` });
  const subscriber = (keys: string) => loadConfig({ env, readFile: withSubscriber(keys) }).notify.subscribers[0]!;
  assert.equal(
    subscriber(''),
    { ...subscriber(''), kinds: ['recommendation', 'alert'], alerts: 'all' },
    'both kinds, every alert by default',
  );
  assert.equal(subscriber(', kinds: [recommendation]').kinds, ['recommendation']);
  assert.equal(subscriber(', kinds: [alert], alerts: [day-5pct]').alerts, ['day-5pct']);
  const at = 'notify.subscribers.0';
  assert.is(
    failure(env, withSubscriber(', alerts: [btc-100k, btc-1m]')),
    `${at}.alerts.1: no alert named btc-1m in alerts (configured: btc-100k, day-5pct) (in /c.yaml)`,
  );
  assert.is(
    failure(env, withSubscriber(', alerts: [btc-100k]', '')),
    `${at}.alerts.0: no alert named btc-100k in alerts (none configured) (in /c.yaml)`,
  );
  assert.match(failure(env, withSubscriber(', alerts: []')), /^notify\.subscribers\.0\.alerts: must name at least one alert, or be all/);
  assert.is(failure(env, withSubscriber(', alerts: some')), `${at}.alerts: must be all or a list of alert names (in /c.yaml)`);
  assert.is(failure(env, withSubscriber(', alerts: 5')), `${at}.alerts: must be all or a list of alert names (in /c.yaml)`);
  assert.is(failure(env, withSubscriber(', kinds: []')), `${at}.kinds: must list recommendation, alert or both (in /c.yaml)`);
  assert.match(failure(env, withSubscriber(', kinds: [crossing]')), /^notify\.subscribers\.0\.kinds\.0: /);
  assert.is(
    failure(env, withSubscriber(', kinds: [recommendation], alerts: [btc-100k]')),
    `${at}.alerts: names alerts, but kinds leaves alerts out (in /c.yaml)`,
  );
});

test('hostile files: alias bombs and prototype keys are refused, nothing is polluted', () => {
  const env = { STOCK_STREAM_CONFIG: '/c.yaml' };
  const bomb = [
    'a: &a [x, x, x, x, x, x, x, x, x]',
    ...Array.from(
      { length: 9 },
      (_, i) =>
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`,
    ),
  ].join('\n');
  assert.match(failure(env, files({ '/c.yaml': bomb })), /^config file \/c\.yaml: not valid YAML or JSON: /);
  assert.match(failure(env, files({ '/c.yaml': '__proto__:\n  polluted: true\n' })), /unknown key/);
  assert.is(({} as Record<string, unknown>).polluted, undefined);
  assert.match(failure(env, files({ '/c.yaml': 'constructor:\n  prototype:\n    polluted: true\n' })), /^constructor: unknown key/);
});

test("the processor's state must fit one bus message: a period or symbols over the limit are refused, naming the key", () => {
  const env = { STOCK_STREAM_CONFIG: '/c.yaml' };
  const load = (yaml: string) => loadConfig({ env, readFile: files({ '/c.yaml': yaml }) });
  // 60,000 SMA values on the strategy's candles: about 1.6 MB at worst, where the bus takes 1 MB.
  const refused = failure(env, files({ '/c.yaml': 'indicators: {sma: 60000}\n' }));
  assert.match(
    refused,
    /^indicators\.sma: 60000 makes the processor's state up to 1\.6 MB \(1\.6 MB a symbol\), over the bus's 1,000,000-byte message limit; at most \d+ with these symbols, timeframes and alerts \(in \/c\.yaml\)$/,
  );
  // At the limit: the largest period it names is accepted, one more is not.
  const most = Number(/at most (\d+)/.exec(refused)![1]);
  assert.ok(most > 30_000 && most < 60_000, `${most}`);
  assert.is(load(`indicators: {sma: ${most}}\n`).indicators.sma, most);
  assert.match(failure(env, files({ '/c.yaml': `indicators: {sma: ${most + 1}}\n` })), /^indicators\.sma: /);
  // The longer ring is the one named; both at the schema's maximum: it says so.
  assert.match(
    failure(env, files({ '/c.yaml': 'indicators: {sma: 20, bollinger: {period: 50000}}\n' })),
    /^indicators\.bollinger\.period: 50000 makes .* at most \d+ with these/,
  );
  assert.match(
    failure(env, files({ '/c.yaml': 'indicators: {sma: 100000, bollinger: {period: 100000}}\n' })),
    /^indicators\.sma: 100000 makes .*; at most \d+ for both indicators\.sma and indicators\.bollinger\.period with these/,
  );
  // Each followed timeframe holds its own rings, so the same period may be too long with more of them.
  assert.match(
    failure(env, files({ '/c.yaml': 'indicators: {sma: 10000}\ntimeframes: [5m, 15m, 1h, 4h, 1d]\n' })),
    /^indicators\.sma: 10000 /,
  );
  // Many symbols, each small: the symbols are named, with how many fit.
  const symbols = Array.from({ length: 500 }, (_, i) => `S${i}-USD`);
  const tooMany = failure({ STOCK_STREAM_SYMBOLS: symbols.join(',') });
  assert.match(
    tooMany,
    /^symbols: 500 symbols make the processor's state up to [\d.]+ MB in one partition \(\d+ kB a symbol\), over .*; follow at most (\d+) /,
  );
  const fit = Number(/follow at most (\d+)/.exec(tooMany)![1]);
  assert.ok(fit >= 50, `the defaults allow ${fit} symbols`);
  assert.is(loadConfig({ env: { STOCK_STREAM_SYMBOLS: symbols.slice(0, fit).join(',') } }).symbols.length, fit);
  assert.match(failure({ STOCK_STREAM_SYMBOLS: symbols.slice(0, fit + 1).join(',') }), /^symbols: /);
});

test('secrets: only from the environment or a file, never from the config file', () => {
  assert.is(loadConfig({ env: { MQTT_PASSWORD: 's3cret' } }).mqtt.password, 's3cret');
  const fromFile = loadConfig({
    env: { MQTT_PASSWORD_FILE: '/run/secrets/mqtt' },
    readFile: files({ '/run/secrets/mqtt': 'from-file\n' }),
  });
  assert.is(fromFile.mqtt.password, 'from-file', 'the trailing newline of a secret file is dropped');
  assert.is(
    failure({ STOCK_STREAM_CONFIG: '/c.yaml' }, files({ '/c.yaml': 'mqtt:\n  password: hunter2\n' })),
    'config file /c.yaml: mqtt.password: secrets are not accepted in the config file; set MQTT_PASSWORD or MQTT_PASSWORD_FILE',
  );
  assert.is(failure({ MQTT_PASSWORD: 'a', MQTT_PASSWORD_FILE: '/x' }), 'MQTT_PASSWORD and MQTT_PASSWORD_FILE are both set; set only one');
  assert.is(failure({ MQTT_PASSWORD_FILE: '/nope' }), 'MQTT_PASSWORD_FILE: cannot read /nope (ENOENT)');
});

test('redaction replaces every secret and leaves the configuration itself alone', () => {
  const config = loadConfig({ env: { MQTT_PASSWORD: 's3cret', MQTT_URL: 'mqtt://h:1883' } });
  const shown = redactConfig(config);
  assert.is(shown.mqtt.password, '[redacted]');
  assert.not.match(JSON.stringify(shown), /s3cret/);
  assert.is(config.mqtt.password, 's3cret');
  assert.is(redactConfig(loadConfig({ env: {} })).mqtt.password, undefined, 'an unset secret stays unset');
});

test('a password inside redis.url or mqtt.url (file or environment) is accepted and redacted when shown', () => {
  const config = loadConfig({
    env: { STOCK_STREAM_CONFIG: '/c.yaml', MQTT_URL: 'mqtts://ha:mqtt-pw-2@broker.lan:8883' },
    readFile: files({ '/c.yaml': 'redis:\n  url: redis://default:redis-pw-1@redis.lan:6379/0\n' }),
  });
  assert.is(config.redis.url, 'redis://default:redis-pw-1@redis.lan:6379/0', 'the roles still get the password');
  const shown = redactConfig(config);
  assert.is(shown.redis.url, 'redis://default:***@redis.lan:6379/0');
  assert.is(shown.mqtt.url, 'mqtts://ha:***@broker.lan:8883');
  assert.not.match(JSON.stringify(shown), /redis-pw-1|mqtt-pw-2/);
  assert.is(config.mqtt.url, 'mqtts://ha:mqtt-pw-2@broker.lan:8883', 'the configuration itself is left alone');
});

test.run();
