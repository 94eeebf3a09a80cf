#!/usr/bin/env bash
# Contract-engine benchmark, side by side in one run (not a test: run it by hand):
#   1. the same local Vivamo sandbox, the same spec, the same credentials, both tools over HTTP:
#      `specdrift test` (every phase) and `schemathesis run --checks all` (installed into
#      bench/.tools on first use); requests per second for each (both counted from their
#      cassettes), the finding classes each reported, and the ratio;
#   2. time to first report of the `rejected` gap (Disbursement.status): `specdrift test -x`
#      restricted to that check, against schemathesis's whole run (it reports it or not);
#   3. recorded interactions verified per second by `verify` on a large HAR file (one core);
#   4. `verify` on line-delimited captures of 128 MB and 1 GB (bench/verify.sh): throughput per
#      CPU-second and peak memory, which streaming keeps flat.
#
#   bench/contract.sh                         # --max-cases 200 for us (within schemathesis's time), --max-examples 50 for it
#   CASES=200 EXAMPLES=100 bench/contract.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tools=$PWD/bench/.tools
out=$PWD/bench/.out
cases=${CASES:-200}
examples=${EXAMPLES:-50}
port=${PORT:-4019}
key=sk_test_vivamo_sandbox
mkdir -p "$out"

cargo build --release --quiet --bin specdrift -p specdrift
cargo build --release --quiet -p contract-tests --example bench
if [ ! -x "$tools/st/bin/schemathesis" ]; then
  echo "installing schemathesis into $tools/st ..." >&2
  python3 -m venv "$tools/st" && "$tools/st/bin/pip" install -q schemathesis >&2 || echo "schemathesis could not be installed; its lines stay empty" >&2
fi

restart_sandbox() {
  if [ -n "${sandbox:-}" ]; then kill "$sandbox" 2>/dev/null || true; wait "$sandbox" 2>/dev/null || true; fi
  target/release/specdrift sandbox --addr "127.0.0.1:$port" >/dev/null 2>&1 &
  sandbox=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
}
trap 'kill ${sandbox:-0} 2>/dev/null || true' EXIT

count_cassette() { python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['http_interactions']))" "$1"; }

# 1. Requests per second and findings, at an equal budget of wall time: schemathesis runs first
#    with its own budget, then we run every phase within the time it took.
st_secs=""
if [ -x "$tools/st/bin/schemathesis" ]; then
  restart_sandbox
  rm -rf "$out/st"
  start=$(date +%s.%N)
  "$tools/st/bin/schemathesis" run openapi.yaml --url "http://127.0.0.1:$port" -H "Authorization: Bearer $key" \
    --max-examples "$examples" --checks all --report vcr --report-dir "$out/st" > "$out/st.txt" 2>&1 || true
  end=$(date +%s.%N)
  st_secs=$(echo "$end - $start" | bc)
  st_requests=$(cat "$out"/st/*.yaml | grep -c '^  request:' || true)
  st_rate=$(echo "$st_requests / $st_secs" | bc)
  echo "schemathesis: $st_requests requests in $st_secs s: $st_rate requests/s ($("$tools/st/bin/schemathesis" --version))"
  echo "  failure classes: $(sed -n '/^Failures:/,/^$/p' "$out/st.txt" | grep -oE 'ST[0-9]+ [^:]+' | sort -u | paste -sd ';' -)"
  if grep -qE "\"rejected\"|'rejected'" "$out/st.txt"; then echo "  schemathesis reports the rejected gap"; else echo "  schemathesis does not report the rejected gap"; fi
fi
restart_sandbox
start=$(date +%s.%N)
target/release/specdrift test --spec openapi.yaml --url "http://127.0.0.1:$port" --bearer "$key" \
  --extra sandbox/testing.yaml --max-cases "$cases" ${st_secs:+--max-time "$st_secs"} --record "$out/ours.json" --format json > "$out/ours-report.json" || true
end=$(date +%s.%N)
ours_requests=$(count_cassette "$out/ours.json")
ours_secs=$(echo "$end - $start" | bc)
ours_rate=$(echo "$ours_requests / $ours_secs" | bc)
ours_kinds=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('; '.join(sorted({f['kind'] for f in r['findings']})))" "$out/ours-report.json")
echo "specdrift:    $ours_requests requests in $ours_secs s: $ours_rate requests/s"
echo "  finding kinds: $ours_kinds"
python3 - "$out/ours-report.json" <<'PY'
import json, sys
kinds = sorted({f["kind"] for f in json.load(open(sys.argv[1]))["findings"] if f["observed"] == '"rejected"'})
print("  specdrift reports the rejected gap as: " + ", ".join(kinds) if kinds else "  specdrift does not report the rejected gap")
PY
[ -n "$st_secs" ] && echo "ratio (requests/s): $(echo "scale=1; $ours_rate / $st_rate" | bc)x"

# 2. Time to first report of the rejected gap.
restart_sandbox
start=$(date +%s.%N)
target/release/specdrift test --spec openapi.yaml --url "http://127.0.0.1:$port" --bearer "$key" \
  --extra sandbox/testing.yaml --phases stateful --checks schema-violation --max-cases 500 -x --no-shrink > "$out/first.txt" || true
end=$(date +%s.%N)
if grep -q '"rejected"' "$out/first.txt"; then
  echo "specdrift first reports the rejected gap after $(echo "$end - $start" | bc) s"
else
  echo "specdrift did not reach the rejected gap in 500 sequences"
fi

# 3. verify throughput.
target/release/examples/bench verify "${INTERACTIONS:-200000}" | tail -1

# 4. verify streaming captures larger than memory should need (bench/verify.sh: 128 MB, 1 GB).
bench/verify.sh
