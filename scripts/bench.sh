#!/usr/bin/env bash
# Throughput and peak memory of the extract engine against encoding/csv,
# measured in one run: see scripts/benchrun. The month is generated once
# into BENCH_CACHE and reused; BENCH_SCALE picks its size and
# BENCH_LARGE=false skips the month twice as large (the RSS growth check);
# BENCH_REPS runs each measurement that many times (the fastest counts).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
BENCH_SCALE=${BENCH_SCALE:-medium}
BENCH_CACHE=${BENCH_CACHE:-${TMPDIR:-/tmp}/carport-bench}
BENCH_LARGE=${BENCH_LARGE:-true}
BENCH_REPS=${BENCH_REPS:-2}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
$GO build -o "$bin/benchrun" ./scripts/benchrun
"$bin/benchrun" -scale "$BENCH_SCALE" -cache "$BENCH_CACHE" -large="$BENCH_LARGE" -reps "$BENCH_REPS"
