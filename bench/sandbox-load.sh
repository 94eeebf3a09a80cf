#!/usr/bin/env bash
# Sandbox load benchmark (not a test: run it by hand): many concurrent generated clients against
# the embedded Vivamo sandbox on loopback while its clock advances and a webhook receiver
# refuses every third first attempt; prints requests held, errors, latency percentiles and
# whether the invariants held (records readable, one Proceed winner each, retries on schedule,
# no event lost). Exit 1 when one broke.
#   bench/sandbox-load.sh                    # 64 clients, 20 s
#   CLIENTS=256 DURATION=60 bench/sandbox-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --quiet -p vivamo-sandbox --example load -- \
  --clients "${CLIENTS:-64}" --seconds "${DURATION:-20}" --fail-every 3
