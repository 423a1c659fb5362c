#!/usr/bin/env bash
# rsync-key.sh KEYVAR RSYNC-ARGS...: rsync, over ssh with the private key
# held in the environment variable KEYVAR when it is set (the CI secret
# store puts it there: the key never touches the repository or a log).
# The key is written to a private temporary file, removed on exit however
# rsync ends. Host keys are checked strictly, against $CARPORT_SSH_KNOWN_HOSTS
# (known_hosts lines) when set, else the user's known_hosts. Without the
# variable, rsync runs as is (a local path, or the runner's own ssh setup).
set -euo pipefail
var=${1:?usage: rsync-key.sh KEYVAR RSYNC-ARGS...}
shift
if [ -z "${!var:-}" ]; then
	exec rsync "$@"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
umask 077
printf '%s\n' "${!var}" >"$tmp/key"
ssh=(ssh -i "$tmp/key" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes)
if [ -n "${CARPORT_SSH_KNOWN_HOSTS:-}" ]; then
	printf '%s\n' "$CARPORT_SSH_KNOWN_HOSTS" >"$tmp/known_hosts"
	ssh+=(-o UserKnownHostsFile="$tmp/known_hosts")
fi
rsync -e "${ssh[*]}" "$@"
