#!/usr/bin/env bash
# Prepares a Raspberry Pi for stock-stream: I2C at 400 kHz, the button's pull-up, the cgroup flags
# k3s needs, udev rules and groups for /dev/i2c-* and GPIO, the systemd unit (single node) or the
# k3s config that labels the edge node. Idempotent: a second run changes nothing.
#   sudo firmware-config/apply.sh [--role single|server|agent] [--dry-run] [--root DIR] [--user NAME]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root=/
role=single
dry_run=0
user=stock-stream
changes=0

usage() { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="${2:?--root needs a directory}"; shift 2 ;;
    --role) role="${2:?--role needs single, server or agent}"; shift 2 ;;
    --user) user="${2:?--user needs a name}"; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "apply.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$role" in single|server|agent) ;; *) echo "apply.sh: --role must be single, server or agent" >&2; exit 2 ;; esac
root="${root%/}"

change() { # what, then the command that makes the change
  local what="$1"; shift
  changes=$((changes + 1))
  if [ "$dry_run" = 1 ]; then echo "would change: $what"; else "$@"; echo "changed: $what"; fi
}

# Bookworm keeps the boot files in /boot/firmware, older releases in /boot.
boot="$root/boot/firmware"
[ -f "$boot/config.txt" ] || boot="$root/boot"
[ -f "$boot/config.txt" ] || { echo "apply.sh: no config.txt in $root/boot/firmware or $root/boot" >&2; exit 1; }

while IFS= read -r line; do
  case "$line" in ''|'#'*) continue ;; esac
  if ! grep -qxF "$line" "$boot/config.txt"; then
    change "$boot/config.txt: add $line" sh -c 'printf "%s\n" "$1" >> "$2"' _ "$line" "$boot/config.txt"
  fi
done < "$here/boot/config.txt.lines"

if [ -f "$boot/cmdline.txt" ]; then
  for token in $(cat "$here/boot/cmdline.txt.tokens"); do
    # cmdline.txt is one line; a token is present when it is a whole word of it.
    if ! tr ' ' '\n' < "$boot/cmdline.txt" | grep -qxF "$token"; then
      change "$boot/cmdline.txt: add $token" sed -i "1s/[[:space:]]*\$/ $token/" "$boot/cmdline.txt"
    fi
  done
else
  echo "apply.sh: no cmdline.txt in $boot (not a Raspberry Pi boot partition?)" >&2; exit 1
fi

install_file() { # source, destination
  if ! cmp -s "$1" "$2"; then
    change "$2" install -D -m 0644 "$1" "$2"
  fi
}

install_file "$here/udev/99-stock-stream-edge.rules" "$root/etc/udev/rules.d/99-stock-stream-edge.rules"
case "$role" in
  single) install_file "$here/systemd/stock-stream-edge.service" "$root/etc/systemd/system/stock-stream-edge.service" ;;
  server) install_file "$here/k3s/server-config.yaml" "$root/etc/rancher/k3s/config.yaml" ;;
  agent) install_file "$here/k3s/agent-config.yaml" "$root/etc/rancher/k3s/config.yaml" ;;
esac

# Groups and the service user exist only on the live system; a prepared image gets them at first boot.
if [ "$root" = "" ]; then
  for group in i2c gpio; do
    getent group "$group" > /dev/null || change "group $group" groupadd --system "$group"
  done
  if ! id "$user" > /dev/null 2>&1; then
    change "user $user" useradd --system --home-dir /var/lib/stock-stream --shell /usr/sbin/nologin --groups i2c,gpio "$user"
  elif ! id -nG "$user" | tr ' ' '\n' | grep -qx gpio || ! id -nG "$user" | tr ' ' '\n' | grep -qx i2c; then
    change "user $user: groups i2c, gpio" usermod -a -G i2c,gpio "$user"
  fi
else
  echo "skipped: groups i2c, gpio and user $user (only on the live system, --root /)"
fi

if [ "$dry_run" = 1 ]; then echo "$changes change(s) would be made"; else echo "$changes change(s) made"; fi
if [ "$changes" -gt 0 ] && [ "$dry_run" = 0 ] && [ "$root" = "" ]; then
  echo "reboot for config.txt and cmdline.txt; then: udevadm control --reload && systemctl daemon-reload"
fi
