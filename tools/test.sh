#!/usr/bin/env bash
# README's test command, and the one `.ci/run` runs: installs what the
# tests use beside cargo (each test fails, never skips, without its tool),
# then runs every test. Arguments go to `cargo test`.
#
#   socat            the printer tests' pty pairs
#   zbar-tools       zbarimg decodes every label's barcodes
#   tmux             the floor TUI end to end on a real terminal
#   redis-server     Redis Streams out and in (tests/redis_streams.rs)
#   openssh-server/-client   a handheld over SSH (packaging/sshd-tote.conf)
#   python3-prometheus-client   the reference parser /metrics is checked with
#   tools/zpl-render (npm)      the independent ZPL renderer
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v socat >/dev/null || need+=(socat)
command -v zbarimg >/dev/null || need+=(zbar-tools)
command -v tmux >/dev/null || need+=(tmux)
command -v redis-server >/dev/null || need+=(redis-server)
[[ -x /usr/sbin/sshd ]] || need+=(openssh-server)
command -v ssh >/dev/null || need+=(openssh-client)
command -v npm >/dev/null || need+=(npm)
/usr/bin/python3 -c 'import prometheus_client' 2>/dev/null || need+=(python3-prometheus-client)
if ((${#need[@]})); then
    echo "tools/test.sh: installing ${need[*]} (apt)" >&2
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [[ ! -d tools/zpl-render/node_modules/zpl-renderer-js ]]; then
    npm ci --prefix tools/zpl-render --no-audit --no-fund --loglevel=error
fi
exec cargo test --locked "$@"
