#!/usr/bin/env bash
# Installs, upgrades or removes the single-node appliance (every role in one process) on Raspberry Pi
# OS or Debian: the release in /opt/stock-stream (production dependencies only), the stock-stream user,
# /var/lib/stock-stream (owner only), /etc/stock-stream/config.yaml from config.example.yaml (never
# overwritten) and the systemd unit, enabled. Idempotent: a second run of the same release changes nothing.
#   sudo firmware-config/install.sh [--from DIR] [--no-start]       install or upgrade
#   sudo firmware-config/install.sh --uninstall [--purge]           remove (--purge: config and data too)
#   options: --root DIR (install into a mounted image or a test root), --node PATH (default /usr/bin/node)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root=/
from="$here/.."
node_bin=""
mode=install
purge=0
start=1
changes=0
user=stock-stream
unit=stock-stream-edge.service

usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; }
fail() { echo "install.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="${2:?--root needs a directory}"; shift 2 ;;
    --from) from="${2:?--from needs a directory}"; shift 2 ;;
    --node) node_bin="${2:?--node needs a path}"; shift 2 ;;
    --uninstall) mode=uninstall; shift ;;
    --purge) purge=1; shift ;;
    --no-start) start=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ "$purge" = 0 ] || [ "$mode" = uninstall ] || { echo "install.sh: --purge goes with --uninstall" >&2; exit 2; }
[ -d "$root" ] || fail "--root $root: no such directory"
root="$(cd "$root" && pwd)"
root="${root%/}"
live=0
[ "$root" = "" ] && live=1
if [ "$live" = 1 ] && [ "$(id -u)" != 0 ]; then fail "run it as root: sudo $0 $*"; fi

opt="$root/opt/stock-stream"
etc="$root/etc/stock-stream"
data="$root/var/lib/stock-stream"
unit_file="$root/etc/systemd/system/$unit"
wants="$root/etc/systemd/system/multi-user.target.wants/$unit"

change() { # what, then the command that makes the change
  local what="$1"; shift
  changes=$((changes + 1))
  "$@"
  echo "changed: $what"
}

if [ "$mode" = uninstall ]; then
  if [ "$live" = 1 ] && systemctl list-unit-files "$unit" > /dev/null 2>&1; then
    systemctl disable --now "$unit" > /dev/null 2>&1 || true
  fi
  [ -L "$wants" ] && change "$wants" rm -f "$wants"
  [ -e "$unit_file" ] && change "$unit_file" rm -f "$unit_file"
  [ "$live" = 1 ] && systemctl daemon-reload
  [ -e "$opt" ] && change "$opt removed" rm -rf "$opt"
  if [ "$purge" = 1 ]; then
    [ -e "$etc" ] && change "$etc removed" rm -rf "$etc"
    [ -e "$data" ] && change "$data removed" rm -rf "$data"
    echo "kept: user $user (a system user stays; sudo userdel $user removes it)"
  else
    [ -e "$etc" ] && echo "kept: $etc (your configuration; --purge removes it)"
    [ -e "$data" ] && echo "kept: $data (your data; --purge removes it)"
  fi
  echo "$changes change(s) made"
  exit 0
fi

# Node.js: the unit runs /usr/bin/node, so that is the one that must be 20 or newer.
if [ -z "$node_bin" ]; then
  if [ "$live" = 1 ]; then node_bin=/usr/bin/node; else node_bin="$(command -v node || echo /usr/bin/node)"; fi
fi
[ -x "$node_bin" ] || fail "no Node.js at $node_bin; install Node.js 20 or newer first (docs/appliance.md, 'Node.js 20')"
node_version="$("$node_bin" --version)"
node_major="${node_version#v}"
node_major="${node_major%%.*}"
case "$node_major" in ''|*[!0-9]*) fail "$node_bin --version said '$node_version', not a Node.js version" ;; esac
if [ "$node_major" -lt 20 ]; then
  fail "Node.js $node_version at $node_bin is too old: stock-stream needs 20 or newer (docs/appliance.md, 'Node.js 20': NodeSource's repository)"
fi
npm_bin="$(dirname "$node_bin")/npm"
[ -x "$npm_bin" ] || npm_bin="$(command -v npm || true)"

# The release: a clone after `npm ci` (which builds dist/) or an unpacked `npm pack` tarball.
from="$(cd "$from" && pwd)"
[ -f "$from/package.json" ] && [ -f "$from/bin/stock-stream.js" ] || fail "$from is not a stock-stream clone or release (no package.json, bin/stock-stream.js)"
if [ ! -f "$from/dist/cli/main.js" ]; then
  fail "$from has no dist/: run 'npm ci' there first (it installs and builds), then this script again"
fi
if [ -f "$from/tsconfig.build.json" ]; then
  newer="$(find "$from/core" "$from/platform" "$from/cli" "$from/cluster" "$from/edge" "$from/web" -name '*.ts' -newer "$from/dist/cli/main.js" -print -quit 2> /dev/null || true)"
  [ -z "$newer" ] || fail "dist/ is older than the sources ($newer): run 'npm ci' (or 'npm run build') in $from first"
fi
version="$("$node_bin" -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).version' "$from/package.json")"
[ -f "$from/firmware-config/systemd/$unit" ] || fail "$from has no firmware-config/systemd/$unit"

# Built in a scratch directory, compared with /opt/stock-stream, and swapped in only when it differs:
# a re-run of the same release touches nothing (not even /opt's own time stamp).
stage="$(mktemp -d "${TMPDIR:-/var/tmp}/stock-stream-release.XXXXXX")"
trap 'rm -rf "$stage" "$root/opt/.stock-stream.new"' EXIT
chmod 0755 "$stage"
cp -R "$from/bin" "$from/dist" "$from/package.json" "$from/config.example.yaml" "$stage/"
[ -f "$from/package-lock.json" ] && cp "$from/package-lock.json" "$stage/"
[ -f "$from/README.md" ] && cp "$from/README.md" "$stage/"
mkdir -p "$stage/firmware-config"
cp -R "$from/firmware-config/systemd" "$from/firmware-config/install.sh" "$stage/firmware-config/"
# Build-time code the service never loads: the cdk8s manifests and the dashboard's bundler.
rm -rf "$stage/dist/cdk8s" "$stage/dist/web/build"
[ -n "$npm_bin" ] || fail "no npm next to $node_bin or on PATH (NodeSource's nodejs includes it; on Debian: apt install npm)"
npm_quiet=(--ignore-scripts --no-audit --no-fund --loglevel=error)
if [ -d "$from/node_modules" ]; then
  # A clone: its addons are already built for this machine; drop the dev dependencies, offline.
  cp -R "$from/node_modules" "$stage/"
  (cd "$stage" && "$npm_bin" prune --omit=dev "${npm_quiet[@]}" > /dev/null)
elif [ -f "$from/package-lock.json" ]; then
  (cd "$stage" && "$npm_bin" ci --omit=dev "${npm_quiet[@]}" > /dev/null && "$npm_bin" rebuild better-sqlite3 i2c-bus > /dev/null)
else
  (cd "$stage" && "$npm_bin" install --omit=dev --no-package-lock "${npm_quiet[@]}" > /dev/null && "$npm_bin" rebuild better-sqlite3 i2c-bus > /dev/null)
fi
# Compiler leftovers of the native addons (objects, static libraries): not loaded at run time.
find "$stage/node_modules" -path '*/build/Release/*' \( -name 'obj' -o -name 'obj.target' -o -name '.deps' -o -name '*.a' \) -prune -exec rm -rf {} +
# It must run with the node the service uses (the native addons are built for one Node.js ABI).
(cd "$stage" && "$node_bin" -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()") \
  || fail "better-sqlite3 does not load with $node_bin: rebuild the clone with that node (npm ci) and run this again"
"$node_bin" "$stage/bin/stock-stream.js" --version > /dev/null || fail "the release does not start with $node_bin"

if [ -d "$opt" ] && diff -rq --no-dereference "$stage" "$opt" > /dev/null 2>&1; then
  echo "unchanged: $opt ($version)"
else
  [ "$live" = 1 ] && chown -R root:root "$stage"
  old="$("$node_bin" -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).version' "$opt/package.json" 2> /dev/null || true)"
  mkdir -p "$root/opt"
  rm -rf "$root/opt/.stock-stream.new"
  mv "$stage" "$root/opt/.stock-stream.new"
  if [ -d "$opt" ]; then
    change "$opt: $old -> $version" sh -c 'mv "$1" "$1.old" && mv "$2" "$1" && rm -rf "$1.old"' _ "$opt" "$root/opt/.stock-stream.new"
  else
    change "$opt: $version" mv "$root/opt/.stock-stream.new" "$opt"
  fi
fi

install_file() { # source, destination
  if ! cmp -s "$1" "$2"; then
    change "$2" install -D -m 0644 "$1" "$2"
  fi
}
install_file "$from/firmware-config/systemd/$unit" "$unit_file"
if [ "$(readlink "$wants" 2> /dev/null)" != "/etc/systemd/system/$unit" ]; then
  if [ "$live" = 1 ]; then
    change "enabled $unit" systemctl enable --quiet "$unit"
  else
    change "$wants" sh -c 'mkdir -p "$(dirname "$1")" && ln -sfn "$2" "$1"' _ "$wants" "/etc/systemd/system/$unit"
  fi
fi

# Configuration: created once from the example, never overwritten; secrets go to the environment file.
[ -d "$etc" ] || change "$etc" install -d -m 0755 "$etc"
[ -e "$etc/config.yaml" ] || change "$etc/config.yaml (from config.example.yaml)" install -m 0644 "$from/config.example.yaml" "$etc/config.yaml"
if [ ! -e "$etc/environment" ]; then
  change "$etc/environment (for secrets, root only)" sh -c 'umask 077 && printf "%s\n" "$2" > "$1"' _ "$etc/environment" \
    "# Secrets for stock-stream, read by systemd (one NAME=value a line), e.g. SMTP_PASSWORD=... MQTT_PASSWORD=..."
fi

# The service user in the i2c and gpio groups (the unit names them); only on the live system.
if [ "$live" = 1 ]; then
  for group in i2c gpio; do
    getent group "$group" > /dev/null || change "group $group" groupadd --system "$group"
  done
  if ! id "$user" > /dev/null 2>&1; then
    change "user $user" useradd --system --user-group --home-dir /var/lib/stock-stream --no-create-home --shell /usr/sbin/nologin --groups i2c,gpio "$user"
  fi
else
  echo "skipped: groups i2c, gpio, user $user, owner of $data, systemctl (only on the live system, --root /)"
fi

# The data directory: the service's alone (the unit's StateDirectoryMode says the same).
[ -d "$data" ] || change "$data" install -d -m 0700 "$data"
[ "$(stat -c %a "$data")" = 700 ] || change "$data: mode 0700" chmod 0700 "$data"
if [ "$live" = 1 ] && [ "$(stat -c %U "$data")" != "$user" ]; then
  change "$data: owner $user" chown -R "$user:$user" "$data"
fi

echo "$changes change(s) made"
if [ "$live" = 1 ]; then
  systemctl daemon-reload
  if [ "$start" = 1 ]; then
    if [ "$changes" -gt 0 ] || ! systemctl is-active --quiet "$unit"; then systemctl restart "$unit"; fi
    echo "running: systemctl status ${unit%.service}; logs: journalctl -u ${unit%.service} -f"
    echo "dashboard: http://$(hostname).local:8080/ (or http://$(hostname -I 2> /dev/null | cut -d' ' -f1):8080/)"
  fi
  echo "configuration: $etc/config.yaml (then: sudo systemctl restart ${unit%.service})"
fi
