#!/usr/bin/env bash
# Shows that each FerretDB patch is needed: for every patch in the series, builds the engine
# without it, runs the conformance suite against that build, and expects the suite to fail.
# Run by hand (it builds the engine once per patch): bash scripts/ferretdb/prove-patches.sh
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
patches_dir="$root/scripts/ferretdb/patches"
work="$(mktemp -d)"
trap 'kill "${ferretdb_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

export GONOSUMDB="github.com/FerretDB/FerretDB" GOFLAGS="-mod=mod" CGO_ENABLED=0
module_dir="$(cd "$root/.tools" && go mod download -json "github.com/FerretDB/FerretDB@v1.24.2" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

verdicts=()
for left_out in "$patches_dir"/*.patch; do
  name="$(basename "$left_out")"
  src="$work/src-$name"
  cp -r "$module_dir/." "$src" && chmod -R u+w "$src"
  echo v1.24.2 > "$src/build/version/version.txt"
  for patch in "$patches_dir"/*.patch; do
    [ "$patch" = "$left_out" ] || (cd "$src" && git apply -p1 "$patch")
  done
  (cd "$src" && go build -trimpath -buildvcs=false -o "$work/ferretdb" ./cmd/ferretdb)
  data="$work/data-$name" && mkdir -p "$data"
  port="$(free_port)"
  DO_NOT_TRACK=1 "$work/ferretdb" --handler=sqlite --sqlite-url="file:$data/" --listen-addr="127.0.0.1:$port" \
    --state-dir="$data" --debug-addr=- --telemetry=disable --log-level=error >"$data/log" 2>&1 &
  ferretdb_pid=$!
  sleep 2
  echo "== without $name"
  (cd "$root" && MONGO_URL="mongodb://127.0.0.1:$port" npx jest scripts/ferretdb/conformance >"$work/$name.log" 2>&1) || true
  grep -E '^Tests:' "$work/$name.log"
  if grep -qE '^Tests:.* [0-9]+ failed' "$work/$name.log"; then verdicts+=("$name: needed (the suite fails without it)"); else verdicts+=("$name: NOT SHOWN (the suite passes without it)"); fi
  kill "$ferretdb_pid" && wait "$ferretdb_pid" 2>/dev/null || true
  rm -rf "$src" "$data"
done
printf '%s\n' "${verdicts[@]}"
