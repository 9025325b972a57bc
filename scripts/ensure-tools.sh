#!/usr/bin/env bash
# Makes sure the local infrastructure binaries exist: FerretDB v1.24.2 (built from its Go module
# into the git-ignored .tools/ folder) and Debian's rabbitmq-server. Safe to run again: it only
# does what is missing.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
ferretdb_version="v1.24.2"
# Bump when the patches applied to the FerretDB source change, so that every machine rebuilds.
ferretdb_patches="id-index-2"
mkdir -p "$tools"

ensure_ferretdb() {
  if [ -x "$tools/ferretdb" ] && "$tools/ferretdb" --version 2>/dev/null | grep -q "${ferretdb_version}" \
    && [ "$(cat "$tools/ferretdb.patches" 2>/dev/null)" = "${ferretdb_patches}" ]; then
    return
  fi
  echo "ensure-tools: building FerretDB ${ferretdb_version} into .tools/ (a few minutes the first time)" >&2
  command -v go >/dev/null || { echo "ensure-tools: Go is needed to build FerretDB" >&2; exit 1; }
  # The published module lacks build/version/version.txt, which `go generate` makes; without it
  # the binary panics at start. Build from a writable copy of the module with that file added.
  export GONOSUMDB="github.com/FerretDB/FerretDB" GOFLAGS="-mod=mod" CGO_ENABLED=0
  local module_dir scratch
  module_dir="$(cd "$tools" && go mod download -json "github.com/FerretDB/FerretDB@${ferretdb_version}" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$module_dir" ] || { echo "ensure-tools: FerretDB module download failed" >&2; exit 1; }
  scratch="$(mktemp -d)"
  cp -r "$module_dir/." "$scratch/"
  chmod -R u+w "$scratch"
  echo "${ferretdb_version}" > "$scratch/build/version/version.txt"
  # FerretDB 1.24's SQLite backend indexes `_id` as _ferretdb_sjson->"_id" but queries it as
  # _ferretdb_sjson->'$._id'; SQLite uses an expression index only for the same expression, so
  # every look-up, update and delete by _id read the whole table (a miss at 5,000 documents: 30-60
  # ms). Query with the index's own expression, as MongoDB would use its _id index.
  local metadata="$scratch/internal/backends/sqlite/metadata/metadata.go"
  sed -i "s|IDColumn = DefaultColumn + \"->'\$._id'\"|IDColumn = DefaultColumn + \`->\"_id\"\`|" "$metadata"
  grep -q 'IDColumn = DefaultColumn + `->"_id"`' "$metadata" || { echo "ensure-tools: patching FerretDB's _id column failed" >&2; exit 1; }
  # It also looks rows up by _id only when the filter is {_id} alone; a filter such as {_id, version}
  # (a conditional update) read every row (27 ms at 200 documents, 111 ms at 1,000). Narrow any
  # filter with an _id equality by _id: every caller (find, update, findAndModify, delete, count,
  # aggregate) applies the whole filter to what comes back anyway.
  local collection="$scratch/internal/backends/sqlite/collection.go"
  sed -i '0,/if params.Filter.Len() == 1 {/s//if params.Filter.Len() >= 1 {/' "$collection"
  grep -q 'if params.Filter.Len() >= 1 {' "$collection" || { echo "ensure-tools: patching FerretDB's _id look-up failed" >&2; exit 1; }
  (cd "$scratch" && go build -trimpath -buildvcs=false -o "$tools/ferretdb.tmp" ./cmd/ferretdb)
  mv "$tools/ferretdb.tmp" "$tools/ferretdb"
  echo "${ferretdb_patches}" > "$tools/ferretdb.patches"
  rm -rf "$scratch"
}

ensure_rabbitmq() {
  if [ -x /usr/sbin/rabbitmq-server ] || command -v rabbitmq-server >/dev/null; then
    return
  fi
  echo "ensure-tools: installing Debian's rabbitmq-server" >&2
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-tools: rabbitmq-server is missing; install it as root: apt-get install -y rabbitmq-server" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
  # The package starts a system node; ours are private, so stop it and keep it from coming back.
  (systemctl stop rabbitmq-server || service rabbitmq-server stop || true) >/dev/null 2>&1
  (systemctl disable rabbitmq-server || true) >/dev/null 2>&1
}

ensure_ferretdb
ensure_rabbitmq
