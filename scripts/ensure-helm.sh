#!/usr/bin/env bash
# Makes sure .tools/helm exists at the pinned version, built from Helm's Go module (no binary
# download needed: only the Go module proxy). Only builds when it is missing or of another version;
# kept apart from ensure-tools.sh so that it never touches the FerretDB build or its patch stamp.
# Prints the path of the binary.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
helm_version="v3.22.0"
helm="$tools/helm"

installed_version() {
  # Read whole before matching, as ensure-tools.sh does: a closed pipe could kill helm early.
  "$helm" version --template '{{.Version}}' 2>/dev/null || true
}

if [ ! -x "$helm" ] || [ "$(installed_version)" != "$helm_version" ]; then
  echo "ensure-helm: building Helm ${helm_version} into .tools/ (several minutes the first time)" >&2
  command -v go >/dev/null || { echo "ensure-helm: Go is needed to build Helm" >&2; exit 1; }
  mkdir -p "$tools"
  # go install leaves the version string empty (Helm sets it with -ldflags in its Makefile).
  CGO_ENABLED=0 GOBIN="$tools" go install -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=${helm_version}" \
    "helm.sh/helm/v3/cmd/helm@${helm_version}"
fi
echo "$helm"
