# Sourced before every shell example of the docs examples test (bash, set -euo pipefail).
#
# The docs name the server http://127.0.0.1:4318; the test rewrote that to ${SPOOR_HOST_PORT},
# the page's server unless the example starts its own. The environment carries what the docs
# say a user has: SPOOR_URL, SPOOR_API_KEY (an admin key), READ_KEY, OTEL_EXPORTER_OTLP_*, and
# OPENAI_*/ANTHROPIC_* pointing at the loopback fake LLM.

# `spoor` is the checkout's built CLI; `npx spoor` and `npx --package <tarball> … spoor` run it too.
# Any other npx would fetch from a registry, which the test does not do.
spoor() {
  if [ "${1:-}" = serve ]; then shift; __spoor_serve "$@"; else node "$SPOOR_CLI" "$@"; fi
}
npx() {
  while [ "${1:-}" = --package ]; do shift 2; done
  if [ "${1:-}" = spoor ]; then shift; spoor "$@"; return; fi
  echo "docs examples test: 'npx $*' would fetch from a registry; mark the example not-runnable" >&2
  return 127
}
npm() {
  echo "docs examples test: 'npm $*' would change the checkout the test runs from; mark the example not-runnable" >&2
  return 127
}

# An answer with an error status fails the example (curl alone exits 0 on a 400).
curl() { command curl --fail-with-body --silent --show-error "$@"; }

# `spoor serve` starts a server with the example's flags, in the background, on loopback and a
# free port (its data in ./.spoor of the page's directory unless --data says); once it prints
# where it listens, the rest of the example talks to it. It is stopped (SIGTERM, as Ctrl-C) when
# the example ends; a server that exits before listening fails the example.
__spoor_served=()
__spoor_serve() {
  local log pid
  log="$(mktemp "$SPOOR_EXAMPLE_TMP/serve-XXXXXX")"
  node "$SPOOR_CLI" serve "$@" --host 127.0.0.1 --port 0 --grpc-port 0 >"$log" 2>&1 &
  pid=$!
  until grep -q '^Spoor is listening on ' "$log"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      cat "$log" >&2
      echo "docs examples test: spoor serve $* exited before listening" >&2
      return 1
    fi
    sleep 0.1
  done
  __spoor_served+=("$pid")
  SPOOR_HOST_PORT="$(sed -n 's#^Spoor is listening on http://\([^ ]*\) .*#\1#p' "$log")"
  export SPOOR_URL="http://$SPOOR_HOST_PORT" OTEL_EXPORTER_OTLP_ENDPOINT="http://$SPOOR_HOST_PORT"
}
__spoor_stop() {
  local status=$? pid
  for pid in "${__spoor_served[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" || true
  done
  exit "$status"
}
trap __spoor_stop EXIT
