#!/usr/bin/env bash
# make serve-demo: the file host on the demo month. Makes a fresh host
# database under DEMO/host/ with one DCC administrator and one user per
# party of DEMO/out/PERIOD, prints each one's one-time set-password link,
# releases the period and runs carport serve on ADDR (Ctrl-C stops it).
# Mail goes to DEMO/host/outbox/ as .eml files.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/carport}
DEMO=${DEMO:-demo}
PERIOD=${PERIOD:-2026-10}
ADDR=${ADDR:-127.0.0.1:8080}
host="$DEMO/host"
db="$host/host.db"
outbox="$host/outbox"
url="http://$ADDR/"

shopt -s nullglob
bundles=("$DEMO/out/$PERIOD"/*.zip.age)
if [ ${#bundles[@]} -eq 0 ]; then
	echo "serve-demo: no bundle in $DEMO/out/$PERIOD: run make demo first" >&2
	exit 1
fi
rm -rf "$host"
mkdir -p "$host"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

add() { # NAME EMAIL (--admin | --party ID)
	"$BIN" users add --db "$db" --outbox "$outbox" --public-url "$url" --name "$1" --email "$2" "${@:3}" --print-link 2>"$log" ||
		{ cat "$log" >&2; exit 1; }
}

echo "make serve-demo: one-time links to set each user's password (valid 72 hours, each works once):"
printf '  %-26s %-28s %s\n' "DCC administrator" "admin@dcc.example" "$(add "DCC Administrator" admin@dcc.example --admin)"
for f in "${bundles[@]}"; do
	party=$(basename "$f" .zip.age)
	email="$(tr '[:upper:]' '[:lower:]' <<<"$party")@party.example"
	printf '  %-26s %-28s %s\n' "user of $party" "$email" "$(add "Demo user of $party" "$email" --party "$party")"
done
"$BIN" release --db "$db" --root "$DEMO/out" --period "$PERIOD" --outbox "$outbox"
echo "Open a link, choose a password, sign in at $url. Mail goes to $outbox/."
echo "View in browser opens a bundle in the tab: choose $DEMO/extracts/identities/<party>.key."
echo "Admin commands: $BIN users list --db $db; $BIN usage --db $db"
# --pub: the demo's signing key, for the in-browser opener (View in browser)
exec "$BIN" serve --root "$DEMO/out" --db "$db" --addr "$ADDR" --outbox "$outbox" --pub "$DEMO/extracts/keys/dcc-signing.pub"
