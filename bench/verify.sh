#!/usr/bin/env bash
# verify on captures too large to hold, side by side in one run (not a test: run it by hand):
# line-delimited captures of SMALL MB and LARGE MB (1 GB by default) made from the conformant
# Vivamo fixture, each verified by the release binary under GNU time: interactions per second
# of wall time, per CPU-second (what one core does), and peak memory (maximum resident set).
# Peak memory staying flat from the small capture to the large one is the streaming claim;
# the same is shown for HAR documents and YAML cassettes at the end.
#
#   bench/verify.sh                     # 128 MB and 1024 MB
#   SMALL=64 LARGE=2048 bench/verify.sh
set -euo pipefail
cd "$(dirname "$0")/.."
small=${SMALL:-128}
large=${LARGE:-1024}
dir=${BENCH_DIR:-$PWD/target/bench}
mkdir -p "$dir"

cargo build --release --quiet --bin specdrift -p specdrift
cargo build --release --quiet -p contract-tests --example bench

# One verify of `file` ($1, holding $2 interactions, named $3) under GNU time: throughput of
# wall time and per CPU-second, and peak memory.
measure() {
  local file=$1 count=$2 what=$3 bytes timing wall user sys rss_kb
  bytes=$(stat -c %s "$file")
  timing=$( { /usr/bin/time -f '%e %U %S %M' target/release/specdrift verify --spec openapi.yaml --traffic "$file" -q >/dev/null; } 2>&1 | tail -1)
  read -r wall user sys rss_kb <<<"$timing"
  awk -v n="$count" -v b="$bytes" -v w="$wall" -v u="$user" -v s="$sys" -v m="$rss_kb" -v what="$what" 'BEGIN {
    printf "verify %7.1f MB %s, %8d interactions: %6.2f s wall, %6.2f s CPU: %8.0f interactions/s, %8.0f per CPU-second, peak memory %5.0f MB\n",
      b / 1e6, what, n, w, u + s, n / w, n / (u + s), m / 1024 }'
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for mb in "$small" "$large"; do
  file=$dir/capture-$mb.jsonl
  made=$(target/release/examples/bench capture "$mb" "$file")
  measure "$file" "$(echo "$made" | awk '{print $2}')" lines
  rm -f "$file"
done
# HAR documents are streamed too (an entry at a time): a HAR of 50,000 and of 200,000 entries
# (`bench verify N` writes target/bench/large.har; its own line, the single-thread
# read-and-check figure, is not shown here).
for n in ${HAR_SMALL:-50000} ${HAR_LARGE:-200000}; do
  target/release/examples/bench verify "$n" >/dev/null
  measure target/bench/large.har "$n" HAR
done
# YAML cassettes (vcrpy's block style) are streamed an item at a time: 50,000 and 200,000.
for n in ${YAML_SMALL:-50000} ${YAML_LARGE:-200000}; do
  target/release/examples/bench yaml "$n" "$dir/large.yaml" >/dev/null
  measure "$dir/large.yaml" "$n" YAML
  rm -f "$dir/large.yaml"
done
