#!/usr/bin/env bash
# Bundles the in-browser opener's npm dependencies (pinned in package.json
# and package-lock.json; `npm ci` installs them) into one minified classic
# script: internal/opener/vendor/entry.mjs -> OUT (default
# internal/opener/assets/vendor.js, which is committed, so building carport
# needs no Node.js). The output depends only on the pinned versions and
# these arguments: internal/opener's TestVendorBundleIsReproducible runs
# this script and compares.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-internal/opener/assets/vendor.js}
esbuild=node_modules/.bin/esbuild
if [ ! -x "$esbuild" ]; then
	echo "opener-vendor: $esbuild is missing: run npm ci (make deps) first" >&2
	exit 1
fi
versions=$(node -e '
const lock = require("./package-lock.json").packages;
console.log(["age-encryption", "fflate", "@noble/hashes", "@noble/curves", "esbuild"]
  .map(n => n + " " + lock["node_modules/" + n].version).join(", "));')
"$esbuild" internal/opener/vendor/entry.mjs \
	--bundle --minify --format=iife --global-name=carportVendor \
	--platform=browser --target=es2022 --charset=ascii --legal-comments=eof \
	--log-level=warning \
	--banner:js="/* carport opener: third-party code ($versions), bundled by scripts/opener-vendor.sh (make opener). Licences: MIT (age-encryption, fflate, @noble/*). */" \
	--outfile="$out"
