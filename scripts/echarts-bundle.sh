#!/usr/bin/env bash
# Bundles the parts of the pinned ECharts npm package that the sites use
# (third_party/echarts/entry.mjs) into one minified classic script, OUT
# (default third_party/echarts/echarts.min.js, which is committed and built
# into carport, so building carport needs no Node.js). The output depends
# only on the pinned versions (echarts, esbuild) and these arguments: the
# root package's TestEChartsIsThePinnedPackage runs this script and
# compares.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-third_party/echarts/echarts.min.js}
esbuild=node_modules/.bin/esbuild
if [ ! -x "$esbuild" ]; then
	echo "echarts-bundle: $esbuild is missing: run npm ci first" >&2
	exit 1
fi
versions=$(node -e '
const lock = require("./package-lock.json").packages;
console.log(["echarts", "zrender", "esbuild"].map(n => n + " " + lock["node_modules/" + n].version).join(", "));')
"$esbuild" third_party/echarts/entry.mjs \
	--bundle --minify --format=iife --platform=browser --target=es2017 --charset=ascii --legal-comments=eof \
	--log-level=warning \
	--banner:js="/* Apache ECharts, the parts carport's sites use (third_party/echarts/entry.mjs), bundled by scripts/echarts-bundle.sh (make echarts) from $versions. Licence: Apache-2.0 (LICENSE, NOTICE). */" \
	--outfile="$out"
