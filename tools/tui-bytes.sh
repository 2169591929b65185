#!/usr/bin/env bash
# Bytes `tote pick` writes to a 20x16 terminal per pick step, measured with
# `script -O LOG -T TIMING` inside a private tmux server. Needs a built
# target/debug/tote (or TOTE=path), tmux and util-linux script.
set -euo pipefail
TOTE=${TOTE:-$(cd "$(dirname "$0")/.." && pwd)/target/debug/tote}
ASSETS=$(cd "$(dirname "$0")/../assets" && pwd)
W=$(mktemp -d)
cleanup() {
  # script(1) outlives a killed tmux server: end the pane's processes first.
  local pane; pane=$(tmux -L tote-bytes display-message -p -t s '#{pane_pid}' 2>/dev/null || true)
  if [ -n "$pane" ]; then pkill -P "$pane" 2>/dev/null || true; kill "$pane" 2>/dev/null || true; fi
  tmux -L tote-bytes kill-server 2>/dev/null || true
  kill "${SERVER:-}" 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT
cd "$W"
"$TOTE" --db f.db init --warehouse W1 >/dev/null
"$TOTE" --db f.db stock import "$ASSETS/sample-stock.csv" >/dev/null
"$TOTE" --db f.db worker add --badge P-001 --name Pia --role picker --pin 4711 >/dev/null
"$TOTE" --db f.db order submit "$ASSETS/sample-order.json" >/dev/null
"$TOTE" --db f.db serve --listen 127.0.0.1:0 2> serve.log & SERVER=$!
until grep -q http:// serve.log; do sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' serve.log | head -1)
tmux -L tote-bytes -f /dev/null new-session -d -s s -x 20 -y 16 \
  "script -q -f -O out.log -T timing.log -c '$TOTE pick --server $URL --log pick.log --poll-seconds 3600 --data-dir $W'"
wait_for() { until tmux -L tote-bytes capture-pane -p -t s | grep -q -- "$1"; do sleep 0.05; done; sleep 0.3; }
size() { stat -c %s out.log; }
# DUMP=1 also prints each step's bytes (escapes shown by cat -v).
step() {
  local before; before=$(size); tmux -L tote-bytes send-keys -t s -H $2; wait_for "$3"
  echo "$1: $(( $(size) - before )) B"
  if [ -n "${DUMP:-}" ]; then tail -c "$(( $(size) - before ))" out.log | cat -v; echo; fi
}
wait_for "Badge _"; echo "first screen (login): $(size) B"
step "badge scan" "50 2d 30 30 31 0d" "PIN _"
step "PIN typed + Enter" "34 37 31 31 0d" "Loc _"
step "wrong location scan (BEL + E101)" "42 2d 39 39 0d" "E101"
step "location scan" "41 2d 30 31 2d 30 31 0d" "Item _"
step "item scan" "34 30 30 36 33 38 31 33 33 33 39 33 31 0d" "1 of 4 x"
step "quantity 4 + Enter (pick sent, next item shown)" "34 0d" "PICK 2/3"
# A scanner in keyboard mode types 10 ms per character (issue 16).
paced() {
  local before; before=$(size)
  for b in $2; do tmux -L tote-bytes send-keys -t s -H "$b"; sleep 0.01; done
  wait_for "$3"
  echo "$1: $(( $(size) - before )) B"
  if [ -n "${DUMP:-}" ]; then tail -c "$(( $(size) - before ))" out.log | cat -v; echo; fi
}
paced "paced location scan (7 chars, 10 ms each)" "42 2d 30 32 2d 30 33 0d" "Item _"
paced "paced item scan (13 chars, 10 ms each)" "34 30 30 36 33 38 31 33 33 33 39 34 38 0d" "of 2"
