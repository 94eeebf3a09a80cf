#!/usr/bin/env bash
# Contract-suite benchmark, side by side in one run (not a test: run it by hand):
#   1. checked calls per second against the local sandbox: our suite vs schemathesis on the same
#      spec and the same sandbox (schemathesis is installed into bench/.tools on first use);
#   2. recorded interactions verified per second by `verify` on a large HAR file (one core).
#
#   bench/contract.sh                 # 1000 sequences for us, --max-examples 50 for schemathesis
#   CASES=3000 EXAMPLES=100 bench/contract.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tools=$PWD/bench/.tools
cases=${CASES:-1000}
examples=${EXAMPLES:-50}
port=${PORT:-4019}

cargo build --release --quiet --bin specdrift -p specdrift
cargo build --release --quiet -p contract-tests --example bench
if [ ! -x "$tools/st/bin/schemathesis" ]; then
  echo "installing schemathesis into $tools/st ..." >&2
  python3 -m venv "$tools/st" && "$tools/st/bin/pip" install -q schemathesis >&2 || echo "schemathesis could not be installed; its line stays empty" >&2
fi

ours=$(target/release/examples/bench suite "$cases" | tail -1)
echo "ours:        $ours"
ours_rate=$(echo "$ours" | sed -E 's/.* ([0-9]+) calls\/s.*/\1/')

if [ -x "$tools/st/bin/schemathesis" ]; then
  target/release/specdrift sandbox --addr "127.0.0.1:$port" >/dev/null 2>&1 &
  sandbox=$!
  trap 'kill $sandbox 2>/dev/null || true' EXIT
  sleep 1
  start=$(date +%s.%N)
  out=$("$tools/st/bin/schemathesis" run openapi.yaml --url "http://127.0.0.1:$port" -H "Authorization: Bearer sk_test_vivamo_sandbox" --max-examples "$examples" --checks all 2>&1 || true)
  end=$(date +%s.%N)
  generated=$(echo "$out" | sed -nE 's/^ *([0-9]+) generated.*/\1/p' | tail -1)
  secs=$(echo "$end - $start" | bc)
  theirs_rate=$(echo "$generated / $secs" | bc)
  echo "schemathesis: $generated test cases in $secs s: $theirs_rate cases/s ($("$tools/st/bin/schemathesis" --version))"
  echo "ratio:       $(echo "scale=1; $ours_rate / $theirs_rate" | bc)x"
fi

target/release/examples/bench verify "${INTERACTIONS:-200000}" | tail -1
