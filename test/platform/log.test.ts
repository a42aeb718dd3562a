// Logging: which format a process picks (terminal or not, LOG_FORMAT, NO_COLOR), what each looks like,
// secrets redacted in both, and pino-pretty left unloaded by a process that logs JSON.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../../platform/config/load.js';
import { createLogger, selectLogFormat, type LogFormat } from '../../platform/log.js';

const ESC = String.fromCharCode(27);

function capture(format: LogFormat) {
  const lines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) }, format);
  return { lines, logger };
}

test('a terminal gets pretty lines with colours, anything else JSON; LOG_FORMAT decides when set', () => {
  assert.equal(selectLogFormat({}, true), { kind: 'pretty', colour: true });
  assert.equal(selectLogFormat({}, false), { kind: 'json', colour: false });
  assert.equal(selectLogFormat({ LOG_FORMAT: 'json' }, true), { kind: 'json', colour: false });
  assert.equal(selectLogFormat({ LOG_FORMAT: 'pretty' }, false), { kind: 'pretty', colour: false }, 'no colours into a pipe');
  assert.equal(selectLogFormat({ LOG_FORMAT: 'pretty' }, true), { kind: 'pretty', colour: true });
  assert.equal(selectLogFormat({ NO_COLOR: '1' }, true), { kind: 'pretty', colour: false });
  assert.equal(selectLogFormat({ LOG_FORMAT: '' }, true), { kind: 'pretty', colour: true }, 'empty counts as unset');
  assert.throws(
    () => selectLogFormat({ LOG_FORMAT: 'xml' }, true),
    (error: Error) => {
      return error instanceof ConfigError && error.message === 'LOG_FORMAT: must be json or pretty, got "xml"';
    },
  );
});

test('JSON: one object a line, secrets redacted', () => {
  const { lines, logger } = capture({ kind: 'json', colour: false });
  logger.child({ role: 'ingest' }).info({ password: 'hunter2', source: 'coinbase' }, 'source connected');
  assert.is(lines.length, 1);
  const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.is(entry.msg, 'source connected');
  assert.is(entry.role, 'ingest');
  assert.is(entry.password, '[redacted]');
});

test('pretty: the time, level, role and message on one line without JSON braces; secrets redacted', () => {
  const { lines, logger } = capture({ kind: 'pretty', colour: false });
  logger.child({ role: 'ingest' }).warn({ password: 'hunter2', authorization: 'Bearer abc' }, 'source stale');
  const text = lines.join('');
  const first = text.split('\n')[0]!;
  assert.match(first, /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: ingest: source stale$/);
  assert.not.match(first, /[{}]/);
  assert.match(text, /password: "\[redacted\]"/);
  assert.not.match(text, /hunter2|Bearer abc/);
  assert.not.ok(text.includes(`${ESC}[`), 'no colours when not asked');
  const coloured = capture({ kind: 'pretty', colour: true });
  coloured.logger.info('hello');
  assert.ok(coloured.lines.join('').includes(`${ESC}[32mINFO${ESC}[39m`), 'the level in green');
  assert.match(coloured.lines.join(''), /hello/);
});

test('a process that logs JSON never loads pino-pretty; one that logs pretty does', () => {
  const log = join(import.meta.dirname, '..', '..', 'dist', 'platform', 'log.js');
  const probe = (kind: string) =>
    spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { createRequire } from 'node:module';
         const { createLogger } = await import(${JSON.stringify(log)});
         createLogger('info', { write() {} }, { kind: '${kind}', colour: false }).info('x');
         const cache = Object.keys(createRequire(import.meta.url).cache);
         console.log(cache.some((path) => path.includes('/pino-pretty/')));`,
      ],
      { encoding: 'utf8' },
    );
  const json = probe('json');
  assert.is(json.status, 0, json.stderr);
  assert.is(json.stdout.trim(), 'false');
  assert.is(probe('pretty').stdout.trim(), 'true');
});

test.run();
