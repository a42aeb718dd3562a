// Which configuration file is read: --config, STOCK_STREAM_CONFIG, then the first default that exists
// (./stock-stream.yaml, the XDG config dir, /etc), with an injected filesystem so /etc is never touched.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, configSearchPath, findConfigFile, loadConfig, SYSTEM_CONFIG_FILE } from '../../platform/config/load.js';

/** A temporary home, working directory and fake /etc, each with or without its file. */
function layout(files: { cwd?: boolean; xdg?: boolean; home?: boolean; etc?: boolean }) {
  const base = mkdtempSync(join(tmpdir(), 'config-search-'));
  const cwd = join(base, 'work');
  const home = join(base, 'home');
  const xdg = join(base, 'xdg');
  const etc = join(base, 'etc');
  const port = { cwd: 1001, home: 1002, xdg: 1003, etc: 1004 };
  const write = (dir: string, name: string, port: number) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, name), `http:\n  port: ${port}\n`);
  };
  mkdirSync(cwd, { recursive: true });
  if (files.cwd) write(cwd, 'stock-stream.yaml', port.cwd);
  if (files.home) write(join(home, '.config', 'stock-stream'), 'config.yaml', port.home);
  if (files.xdg) write(join(xdg, 'stock-stream'), 'config.yaml', port.xdg);
  if (files.etc) write(etc, 'config.yaml', port.etc);
  // The real filesystem, except that /etc/stock-stream/config.yaml means the fake one.
  const real = (path: string) => (path === SYSTEM_CONFIG_FILE ? join(etc, 'config.yaml') : path);
  const exists = (path: string) => existsSync(real(path));
  const readFile = (path: string) => readFileSync(real(path), 'utf8');
  return { base, cwd, home, xdg, etc, port, exists, readFile };
}

const portFrom = (l: ReturnType<typeof layout>, env: Record<string, string>, file?: string) =>
  loadConfig({ env, file, cwd: l.cwd, exists: l.exists, readFile: l.readFile }).http.port;

test('the search path: ./stock-stream.yaml, then XDG_CONFIG_HOME (or ~/.config), then /etc', () => {
  assert.equal(configSearchPath({ HOME: '/home/pi' }, '/srv'), [
    '/srv/stock-stream.yaml',
    '/home/pi/.config/stock-stream/config.yaml',
    '/etc/stock-stream/config.yaml',
  ]);
  assert.equal(configSearchPath({ HOME: '/home/pi', XDG_CONFIG_HOME: '/cfg' }, '/srv')[1], '/cfg/stock-stream/config.yaml');
  assert.equal(configSearchPath({ HOME: '/home/pi', XDG_CONFIG_HOME: 'relative' }, '/srv')[1], '/home/pi/.config/stock-stream/config.yaml');
  assert.equal(configSearchPath({}, '/srv'), ['/srv/stock-stream.yaml', '/etc/stock-stream/config.yaml'], 'no home: no user file');
});

test('the first file that exists wins, in order', () => {
  const all = layout({ cwd: true, home: true, xdg: true, etc: true });
  assert.is(portFrom(all, { HOME: all.home }), all.port.cwd);
  const noCwd = layout({ home: true, xdg: true, etc: true });
  assert.is(portFrom(noCwd, { HOME: noCwd.home }), noCwd.port.home, '~/.config when XDG_CONFIG_HOME is unset');
  assert.is(portFrom(noCwd, { HOME: noCwd.home, XDG_CONFIG_HOME: noCwd.xdg }), noCwd.port.xdg, 'XDG_CONFIG_HOME replaces ~/.config');
  const etcOnly = layout({ etc: true });
  assert.is(portFrom(etcOnly, { HOME: etcOnly.home }), etcOnly.port.etc);
  assert.is(
    findConfigFile({ env: { HOME: etcOnly.home }, cwd: etcOnly.cwd, exists: etcOnly.exists }),
    SYSTEM_CONFIG_FILE,
    'reported by its real name',
  );
  const none = layout({});
  assert.is(findConfigFile({ env: { HOME: none.home }, cwd: none.cwd, exists: none.exists }), undefined);
  assert.is(portFrom(none, { HOME: none.home }), 8080, 'no file: the defaults');
});

test('--config and STOCK_STREAM_CONFIG come first, and a named file that is missing is an error', () => {
  const all = layout({ cwd: true, home: true, etc: true });
  const named = join(all.base, 'named.yaml');
  writeFileSync(named, 'http:\n  port: 1005\n');
  assert.is(portFrom(all, { HOME: all.home, STOCK_STREAM_CONFIG: named }), 1005);
  assert.is(
    portFrom(all, { HOME: all.home, STOCK_STREAM_CONFIG: join(all.base, 'other.yaml') }, named),
    1005,
    '--config over the variable',
  );
  for (const [env, file] of [
    [{ STOCK_STREAM_CONFIG: join(all.base, 'missing.yaml') }, undefined],
    [{}, join(all.base, 'missing.yaml')],
  ] as const) {
    assert.throws(
      () => loadConfig({ env: { HOME: all.home, ...env }, file, cwd: all.cwd, exists: all.exists, readFile: all.readFile }),
      (error: Error) => error instanceof ConfigError && /missing\.yaml: cannot read it \(ENOENT\)/.test(error.message),
    );
  }
  assert.is(portFrom(all, { HOME: all.home, STOCK_STREAM_CONFIG: ' ' }), all.port.cwd, 'an empty variable counts as unset');
});

test.run();
