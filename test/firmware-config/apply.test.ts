// firmware-config/apply.sh against a temporary root shaped like a Raspberry Pi OS card: it adds
// what is missing, --dry-run changes nothing, and a second run changes nothing.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const SCRIPT = join(import.meta.dirname, '..', '..', 'firmware-config', 'apply.sh');
const CMDLINE = 'console=serial0,115200 console=tty1 root=PARTUUID=1234-02 rootfstype=ext4 fsck.repair=yes rootwait\n';

function card(): string {
  const root = mkdtempSync(join(tmpdir(), 'pi-root-'));
  mkdirSync(join(root, 'boot', 'firmware'), { recursive: true });
  writeFileSync(join(root, 'boot', 'firmware', 'config.txt'), '# defaults\ndtparam=audio=on\n');
  writeFileSync(join(root, 'boot', 'firmware', 'cmdline.txt'), CMDLINE);
  return root;
}

function apply(...args: string[]) {
  const run = spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8' });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

test('dry run reports the changes and touches nothing', () => {
  const root = card();
  const run = apply('--root', root, '--dry-run');
  assert.is(run.code, 0, run.err);
  assert.match(run.out, /would change: .*config\.txt: add dtparam=i2c_arm=on/);
  assert.match(run.out, /would change: .*cmdline\.txt: add cgroup_memory=1/);
  assert.match(run.out, /7 change\(s\) would be made/);
  assert.is(readFileSync(join(root, 'boot', 'firmware', 'cmdline.txt'), 'utf8'), CMDLINE);
});

test('applies once, then a second run changes nothing', () => {
  const root = card();
  const first = apply('--root', root);
  assert.is(first.code, 0, first.err);
  const config = readFileSync(join(root, 'boot', 'firmware', 'config.txt'), 'utf8');
  assert.match(config, /^dtparam=i2c_arm=on$/m);
  assert.match(config, /^dtparam=i2c_arm_baudrate=400000$/m);
  assert.match(config, /^dtparam=audio=on$/m, 'existing lines kept');
  const cmdline = readFileSync(join(root, 'boot', 'firmware', 'cmdline.txt'), 'utf8');
  assert.is(cmdline, `${CMDLINE.trimEnd()} cgroup_memory=1 cgroup_enable=memory\n`, 'still one line');
  const unit = readFileSync(join(root, 'etc', 'systemd', 'system', 'stock-stream-edge.service'), 'utf8');
  assert.match(unit, /^NoNewPrivileges=yes$/m);
  assert.not.match(unit, /^ProtectKernelTunables/m);
  assert.match(readFileSync(join(root, 'etc', 'udev', 'rules.d', '99-stock-stream-edge.rules'), 'utf8'), /GROUP="i2c"/);
  assert.match(first.out, /skipped: groups i2c, gpio/);
  const second = apply('--root', root);
  assert.is(second.code, 0);
  assert.match(second.out, /^0 change\(s\) made$/m);
  assert.is(readFileSync(join(root, 'boot', 'firmware', 'cmdline.txt'), 'utf8'), cmdline);
});

test('k3s roles install the config that labels the edge node; bad arguments and a missing boot dir fail clearly', () => {
  const root = card();
  assert.is(apply('--root', root, '--role', 'agent').code, 0);
  assert.match(readFileSync(join(root, 'etc', 'rancher', 'k3s', 'config.yaml'), 'utf8'), /stock-stream\.io\/edge=true/);
  assert.match(apply('--root', root, '--role', 'server').out, /changed: .*k3s\/config\.yaml/);
  assert.is(apply('--role', 'laptop').code, 2);
  const empty = apply('--root', mkdtempSync(join(tmpdir(), 'empty-')));
  assert.is(empty.code, 1);
  assert.match(empty.err, /no config\.txt/);
});

test.run();
