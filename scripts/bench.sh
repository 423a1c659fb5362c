#!/usr/bin/env bash
# Throughput and peak memory of the extract engine against encoding/csv,
# measured in one run (scripts/benchrun), then the whole build of the same
# month end to end with BENCH_WORKERS workers (default: the cores) against
# one worker, and of a month with twice the parties (scripts/buildbench).
# The months are generated once into BENCH_CACHE and reused; BENCH_SCALE
# picks their size and BENCH_LARGE=false skips the months twice as large
# (the RSS growth check, the build with twice the parties); BENCH_REPS runs
# each engine measurement that many times and BENCH_BUILD_REPS each build
# (the fastest counts).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
BENCH_SCALE=${BENCH_SCALE:-medium}
BENCH_CACHE=${BENCH_CACHE:-${TMPDIR:-/tmp}/carport-bench}
BENCH_LARGE=${BENCH_LARGE:-true}
BENCH_REPS=${BENCH_REPS:-2}
BENCH_BUILD_REPS=${BENCH_BUILD_REPS:-1}
BENCH_WORKERS=${BENCH_WORKERS:-$(nproc)}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
$GO build -o "$bin/benchrun" ./scripts/benchrun
$GO build -o "$bin/buildbench" ./scripts/buildbench
$GO build -o "$bin/carport" ./cmd/carport
"$bin/benchrun" -scale "$BENCH_SCALE" -cache "$BENCH_CACHE" -large="$BENCH_LARGE" -reps "$BENCH_REPS"
echo
"$bin/buildbench" -carport "$bin/carport" -scale "$BENCH_SCALE" -cache "$BENCH_CACHE" -double="$BENCH_LARGE" \
	-reps "$BENCH_BUILD_REPS" -workers "$BENCH_WORKERS"
