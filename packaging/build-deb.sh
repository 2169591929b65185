#!/usr/bin/env bash
# Builds the .deb: the release binary, its shell completions and man pages
# (made by the binary itself), then cargo-deb with the metadata in
# Cargo.toml. Prints the package's path.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-deb >/dev/null || cargo install cargo-deb --locked --version '^2' --quiet
cargo build --release --locked --quiet
target="${CARGO_TARGET_DIR:-target}"
out=packaging/generated
rm -rf "$out"
mkdir -p "$out/man"
"$target/release/tote" completions bash > "$out/tote.bash"
"$target/release/tote" completions zsh > "$out/_tote"
"$target/release/tote" completions fish > "$out/tote.fish"
"$target/release/tote" man --dir "$out/man" >/dev/null
gzip -9n "$out"/man/*.1
cargo deb --no-build --locked --quiet
ls -t "$target"/debian/tote_*.deb | head -1
