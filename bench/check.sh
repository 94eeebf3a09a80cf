#!/usr/bin/env bash
# What generated code costs its users on every build: `cargo check` time of the crate generated
# from oxide-nexus (the spec progenitor targets), ours beside cargo-progenitor's, in one run on
# one machine. Each crate is checked once to build its dependencies, then its own code is
# re-checked RUNS times (best kept) after touching its lib.rs: that is the part a user pays on
# every edit-build cycle. Not a test: run it by hand.
#
#   bench/check.sh                 # oxide-nexus, best of 3
#   SPEC=path/to/openapi.json RUNS=5 bench/check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
spec=${SPEC:-${SPECDRIFT_SHARED:-../shared}/specs/oxide-nexus/oxide.json}
runs=${RUNS:-3}
tools=$root/bench/.tools
work=${WORK:-$root/bench/.out/check}
mkdir -p "$work"

cargo build --release --quiet -p specdrift-generator --bin specdrift-generate
if [ ! -x "$tools/bin/cargo-progenitor" ]; then
  echo "installing cargo-progenitor into $tools ..." >&2
  cargo install --quiet --locked --root "$tools" cargo-progenitor >&2
fi

rm -rf "$work/ours" "$work/progenitor"
"$root/target/release/specdrift-generate" --spec "$spec" --out "$work/ours" --crate-name ours >/dev/null
# A crate of its own, outside any workspace, as a user would vendor it.
grep -q '^\[workspace\]' "$work/ours/Cargo.toml" || printf '\n[workspace]\n' >>"$work/ours/Cargo.toml"
"$tools/bin/cargo-progenitor" progenitor -i "$spec" -o "$work/progenitor" -n progenitor -v 0.1.0 >/dev/null
grep -q '^\[workspace\]' "$work/progenitor/Cargo.toml" || printf '\n[workspace]\n' >>"$work/progenitor/Cargo.toml"

# best-of-N seconds of `cargo check` on the crate's own code
own_check() {
  local dir=$1 best=""
  (cd "$dir" && cargo check --quiet >/dev/null 2>&1)
  for _ in $(seq "$runs"); do
    touch "$dir/src/lib.rs"
    local start end s
    start=$(date +%s.%N)
    (cd "$dir" && cargo check --quiet >/dev/null 2>&1)
    end=$(date +%s.%N)
    s=$(awk "BEGIN{printf \"%.2f\", $end - $start}")
    if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; fi
  done
  echo "$best"
}

lines() { cat "$1"/src/*.rs "$1"/src/**/*.rs 2>/dev/null | wc -l; }
ours_s=$(own_check "$work/ours")
prog_s=$(own_check "$work/progenitor")
printf "%-12s %10s %12s\n" crate "check s" "lines of rs"
printf "%-12s %10s %12s\n" ours "$ours_s" "$(lines "$work/ours")"
printf "%-12s %10s %12s\n" progenitor "$prog_s" "$(lines "$work/progenitor")"
awk "BEGIN{printf \"ours / progenitor: %.2fx\n\", $ours_s / $prog_s}"
