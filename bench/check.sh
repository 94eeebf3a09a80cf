#!/usr/bin/env bash
# What generated code costs its users on every build: `cargo check` time of the crate generated
# from oxide-nexus (the spec progenitor targets), ours beside cargo-progenitor's, in one run on
# one machine. Each crate is checked once to build its dependencies, then its own code is
# checked RUNS times (best kept) after touching its lib.rs, without and with incremental
# compilation (see own_check). Not a test: run it by hand.
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

# best-of-N seconds of `cargo check` on the crate's own code, after touching its lib.rs; with
# CARGO_INCREMENTAL=0 ("fresh": what a first build, or CI, pays for the crate) or incremental
# ("re-check": what a user pays on an edit-build cycle where the crate did not change, or changed a
# little after a regeneration)
own_check() {
  local dir=$1 incremental=$2 best=""
  (cd "$dir" && CARGO_INCREMENTAL=$incremental cargo check --quiet >/dev/null 2>&1)
  for _ in $(seq "$runs"); do
    touch "$dir/src/lib.rs"
    local start end s
    start=$(date +%s.%N)
    (cd "$dir" && CARGO_INCREMENTAL=$incremental cargo check --quiet >/dev/null 2>&1)
    end=$(date +%s.%N)
    s=$(awk "BEGIN{printf \"%.2f\", $end - $start}")
    if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; fi
  done
  echo "$best"
}

lines() { cat "$1"/src/*.rs "$1"/src/**/*.rs 2>/dev/null | wc -l; }
ours_fresh=$(own_check "$work/ours" 0)
prog_fresh=$(own_check "$work/progenitor" 0)
ours_re=$(own_check "$work/ours" 1)
prog_re=$(own_check "$work/progenitor" 1)
printf "%-12s %10s %12s %12s\n" crate "fresh s" "re-check s" "lines of rs"
printf "%-12s %10s %12s %12s\n" ours "$ours_fresh" "$ours_re" "$(lines "$work/ours")"
printf "%-12s %10s %12s %12s\n" progenitor "$prog_fresh" "$prog_re" "$(lines "$work/progenitor")"
awk "BEGIN{printf \"ours / progenitor: %.2fx fresh, %.2fx re-check\n\", $ours_fresh / $prog_fresh, $ours_re / $prog_re}"
