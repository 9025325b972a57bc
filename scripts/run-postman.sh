#!/usr/bin/env bash
# Runs the Postman collection (postman/) with newman against the shop's gateway.
#
#   scripts/run-postman.sh               # against a shop already running at $GATEWAY_URL (default http://localhost:8000)
#   scripts/run-postman.sh --with-shop   # starts the shop with `npm start`, runs the collection, stops the shop
#
# Any other arguments are passed on to `newman run`. Exits with newman's status (non-zero when a test fails).
# Environment: GATEWAY_URL; SHOP_START_TIMEOUT (seconds to wait for /health, default 120);
# SHOP_LOG (file for the output of `npm start` in --with-shop mode, default a temporary file);
# POSTMAN_REPORT (keep newman's JSON report there, e.g. for scripts/postman-examples.ts).
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root" || exit 1

with_shop=false
newman_args=()
for arg in "$@"; do
  case "$arg" in
    --with-shop) with_shop=true ;;
    -h | --help)
      sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) newman_args+=("$arg") ;;
  esac
done

gateway_url_given=${GATEWAY_URL:+true}
gateway_url="${GATEWAY_URL:-http://localhost:8000}"
gateway_url="${gateway_url%/}"
start_timeout="${SHOP_START_TIMEOUT:-120}"

log() { echo "run-postman: $*" >&2; }

if [ ! -x node_modules/.bin/newman ]; then
  log "newman is not installed; run 'npm install' at the repository root first"
  exit 1
fi

# 0 when GET <url>/health answers 200 within 3 s.
healthy() {
  node -e '
    fetch(process.argv[1] + "/health", { signal: AbortSignal.timeout(3000) })
      .then((res) => process.exit(res.status === 200 ? 0 : 1), () => process.exit(1));
  ' "$1" 2>/dev/null
}

run_newman() {
  local report status
  report="${POSTMAN_REPORT:-$(mktemp)}"
  log "running the collection against $1"
  npx newman run postman/microservices-shop.postman_collection.json \
    -e postman/local.postman_environment.json \
    --env-var "baseUrl=$1" \
    --bail \
    --reporters cli,json --reporter-json-export "$report" \
    ${newman_args[@]+"${newman_args[@]}"}
  status=$?
  # A plain summary line: "postman: N passed, N failed".
  node -e '
    try {
      const a = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).run.stats.assertions;
      console.log("postman: " + (a.total - a.failed) + " passed, " + a.failed + " failed");
    } catch (e) { /* newman wrote no report: its own output says why */ }
  ' "$report"
  [ -n "${POSTMAN_REPORT:-}" ] || rm -f "$report"
  return "$status"
}

if ! $with_shop; then
  run_newman "$gateway_url"
  exit $?
fi

# --with-shop: start the shop in its own process group, so that it can be stopped as a whole.
shop_log="${SHOP_LOG:-$(mktemp -t shop-XXXXXX.log)}"
shop_pid=""

stop_shop() {
  [ -n "$shop_pid" ] || return 0
  if kill -0 -- "-$shop_pid" 2>/dev/null; then
    log "stopping the shop (process group $shop_pid)"
    kill -TERM -- "-$shop_pid" 2>/dev/null
    for _ in $(seq 1 60); do
      kill -0 -- "-$shop_pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 -- "-$shop_pid" 2>/dev/null; then
      log "the shop did not stop within 30 s; killing it"
      kill -KILL -- "-$shop_pid" 2>/dev/null
    fi
  fi
  wait "$shop_pid" 2>/dev/null
  shop_pid=""
}
trap stop_shop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A gateway that already answers before ours starts is someone else's: only trust the URL our shop prints.
default_taken=false
if [ -z "$gateway_url_given" ] && healthy "$gateway_url"; then
  log "something already answers at $gateway_url; waiting for the URL that 'npm start' prints"
  default_taken=true
fi

log "starting the shop with 'npm start' (output in $shop_log)"
set -m
npm start </dev/null >"$shop_log" 2>&1 &
shop_pid=$!
set +m

target=""
deadline=$((SECONDS + start_timeout))
while [ "$SECONDS" -lt "$deadline" ]; do
  if ! kill -0 "$shop_pid" 2>/dev/null; then
    log "'npm start' exited before the shop was ready; the end of its output:"
    tail -n 40 "$shop_log" >&2
    exit 1
  fi
  candidate="$gateway_url"
  if [ -z "$gateway_url_given" ]; then
    printed="$(grep -i 'gateway' "$shop_log" | grep -oE 'https?://[][A-Za-z0-9.:-]+' | tail -n 1)"
    if [ -n "$printed" ]; then
      candidate="${printed%/}"
    elif $default_taken; then
      candidate=""
    fi
  fi
  if [ -n "$candidate" ] && healthy "$candidate"; then
    target="$candidate"
    break
  fi
  sleep 1
done

if [ -z "$target" ]; then
  log "the shop did not answer 200 on /health within ${start_timeout} s; the end of its output:"
  tail -n 40 "$shop_log" >&2
  exit 1
fi

log "the shop is ready at $target"
run_newman "$target"
status=$?
stop_shop
exit "$status"
