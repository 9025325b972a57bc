#!/usr/bin/env bash
# Makes sure the local infrastructure binaries exist: FerretDB v1.24.2 (built from its Go module
# into the git-ignored .tools/ folder) and Debian's rabbitmq-server. Safe to run again: it only
# does what is missing.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
ferretdb_version="v1.24.2"
# The project's FerretDB patches (each says which MongoDB behaviour it restores); their checksum
# is the build's stamp, so that a changed series rebuilds on every machine.
patches_dir="$root/scripts/ferretdb/patches"
ferretdb_patches="$(cat "$patches_dir"/*.patch | sha256sum | cut -c1-16)"
mkdir -p "$tools"

ensure_ferretdb() {
  # The version is read whole before it is matched: grep -q closing the pipe early could kill
  # ferretdb with SIGPIPE, and pipefail would then call for a rebuild.
  if [ -x "$tools/ferretdb" ] && [[ "$("$tools/ferretdb" --version 2>/dev/null || true)" == *"${ferretdb_version}"* ]] \
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
  local patch
  for patch in "$patches_dir"/*.patch; do
    (cd "$scratch" && git apply -p1 "$patch") || { echo "ensure-tools: applying $(basename "$patch") failed" >&2; exit 1; }
  done
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
