#!/usr/bin/env bash
# Installs the .deb on this machine (as root, as CI runs it) and checks it as
# an operator would: the user, directories and files are there, systemd
# accepts the unit, the binary starts as the unit starts it and answers
# /health/ready, and removing the package keeps the data.
# Usage: packaging/test-deb.sh PATH.deb
set -euo pipefail
deb="$1"
unit=/lib/systemd/system/tote.service
fail() { echo "test-deb: $*" >&2; exit 1; }

command -v systemd-analyze >/dev/null || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd >/dev/null
}
dpkg -i "$deb" >/dev/null

getent passwd tote >/dev/null || fail "no tote user"
[[ $(stat -c '%U:%G %a' /var/lib/tote) == "tote:tote 750" ]] || fail "/var/lib/tote: $(stat -c '%U:%G %a' /var/lib/tote)"
for f in /usr/bin/tote /etc/tote/tote.toml /etc/tote/floor.toml "$unit" \
    /usr/share/bash-completion/completions/tote /usr/share/zsh/vendor-completions/_tote \
    /usr/share/fish/vendor_completions.d/tote.fish /usr/share/man/man1/tote.1.gz /usr/share/man/man1/tote-backup.1.gz; do
    [[ -e $f ]] || fail "$f not installed"
done
zcat /usr/share/man/man1/tote.1.gz | grep -q '^\.TH tote 1' || fail "tote.1 is not a man page"
grep -q 'complete -F _tote' /usr/share/bash-completion/completions/tote || fail "bash completion"
systemd-analyze verify "$unit" || fail "systemd-analyze refuses $unit"

# Start it the way the unit does: its user, its environment, its command.
user=$(sed -n 's/^User=//p' "$unit")
cmd=$(sed -n 's/^ExecStart=//p' "$unit")
mapfile -t envs < <(sed -n 's/^Environment=//p' "$unit")
listen=$(sed -n 's/^listen *= *"\(.*\)"/\1/p' /etc/tote/tote.toml)
port=${listen##*:}
log=$(mktemp)
# shellcheck disable=SC2086
setpriv --reuid="$user" --regid="$user" --clear-groups env "${envs[@]}" $cmd 2>"$log" &
pid=$!
ready=""
for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then ready=yes; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
done
[[ -n $ready ]] || { cat "$log" >&2; fail "the installed tote never answered /health/ready on port $port"; }
kill -TERM "$pid"
wait "$pid" || { cat "$log" >&2; fail "tote serve did not stop cleanly on SIGTERM"; }
[[ $(stat -c '%U' /var/lib/tote/tote.db) == "$user" ]] || fail "the database is not the tote user's"
setpriv --reuid="$user" --regid="$user" --clear-groups /usr/bin/tote check --db /var/lib/tote/tote.db >/dev/null \
    || fail "tote check on the new database"

dpkg -r tote >/dev/null
[[ -e /var/lib/tote/tote.db ]] || fail "dpkg -r removed the data"
[[ ! -e /usr/bin/tote ]] || fail "dpkg -r left the binary"
echo "test-deb: $deb installs, starts as its unit, answers /health/ready, and dpkg -r keeps /var/lib/tote"
