#!/usr/bin/env bash
# Generation benchmark: wall time and peak memory per corpus spec, ours beside cargo-progenitor,
# measured in the same run on the same machine. Not a test: run it by hand.
#
#   bench/generate.sh            # every spec in ../shared/specs
#   RUNS=5 bench/generate.sh     # best of 5 runs per tool and spec (default 3)
#
# cargo-progenitor is installed into bench/.tools on first use (a few minutes of compiling).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
specs=${SPECDRIFT_SHARED:-../shared}/specs
runs=${RUNS:-3}
tools=$root/bench/.tools
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet -p specdrift-generator --bin specdrift-generate
ours=$root/target/release/specdrift-generate
if [ ! -x "$tools/bin/cargo-progenitor" ]; then
  echo "installing cargo-progenitor into $tools ..." >&2
  cargo install --quiet --locked --root "$tools" cargo-progenitor >&2 || echo "cargo-progenitor could not be installed; its column stays empty" >&2
fi
progenitor=$tools/bin/cargo-progenitor

# best-of-N "seconds peak_kib" for a command, or "fail" when it exits non-zero
measure() {
  local best_s="" best_k=""
  for _ in $(seq "$runs"); do
    if ! /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>&1; then
      echo "fail"
      return
    fi
    read -r s k <"$work/time"
    if [ -z "$best_s" ] || awk "BEGIN{exit !($s < $best_s)}"; then best_s=$s; best_k=$k; fi
  done
  echo "$best_s $best_k"
}

printf "%-28s %10s %9s   %10s %9s   %8s\n" spec "ours s" "ours MB" "prog s" "prog MB" "speedup"
for dir in "$specs"/*/; do
  name=$(basename "$dir")
  entry=$(grep "Entry file" "$dir/SOURCE.md" | cut -d'`' -f2)
  spec="$dir$entry"
  read -r os ok <<<"$(measure "$ours" --spec "$spec" --out "$work/ours-$name" --crate-name "bench")"
  ps="" pk="" ratio=""
  if [ -x "$progenitor" ]; then
    res=$(measure "$progenitor" progenitor -i "$spec" -o "$work/prog-$name" -n bench -v 0.1.0)
    if [ "$res" = fail ]; then ps="rejected"; else read -r ps pk <<<"$res"; fi
  fi
  if [ -n "$pk" ]; then ratio=$(awk "BEGIN{printf \"%.1fx\", ($ps > 0 ? $ps : 0.01) / ($os > 0 ? $os : 0.01)}"); fi
  printf "%-28s %10s %9s   %10s %9s   %8s\n" "$name" "$os" "$(awk "BEGIN{printf \"%.1f\", $ok/1024}")" "$ps" \
    "$( [ -n "$pk" ] && awk "BEGIN{printf \"%.1f\", $pk/1024}")" "$ratio"
done

# Emitting against reading: Stripe's full crate (every file) beside loading and validating
# Stripe alone (`specdrift validate`), best of RUNS each, in this run. Target: within 7x.
stripe_dir=$specs/stripe
if [ -f "$stripe_dir/SOURCE.md" ]; then
  cargo build --release --quiet -p specdrift --bin specdrift
  stripe=$stripe_dir/$(grep "Entry file" "$stripe_dir/SOURCE.md" | cut -d'`' -f2)
  # validate exits 1 when the spec has errors; reading it is what is timed, not the verdict
  read -r ls _ <<<"$(measure sh -c '"$0" validate --spec "$1" >/dev/null; exit 0' "$root/target/release/specdrift" "$stripe")"
  read -r gs _ <<<"$(measure "$ours" --spec "$stripe" --out "$work/ours-stripe-full" --crate-name bench)"
  awk "BEGIN{printf \"stripe: load + validate %.2f s, full crate %.2f s: %.1fx (target: within 7x)\n\", $ls, $gs, $gs / ($ls > 0 ? $ls : 0.01)}"
fi
