#!/usr/bin/env bash
# Makes sure .tools/helm exists at the pinned version, built from Helm's Go module (the Go module
# proxy is all it needs). Builds only when it is missing or its stamp differs; kept apart from
# ensure-tools.sh so that it never touches the FerretDB build or its patch stamp.
# Prints the path of the binary.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
helm_version="v3.22.0"
helm="$tools/helm"
# The stamp names what the build was given, so that a change of these flags rebuilds too.
stamp="${helm_version} ldflags-1"

if [ ! -x "$helm" ] || [ "$(cat "$tools/helm.stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "ensure-helm: building Helm ${helm_version} into .tools/ (several minutes the first time)" >&2
  command -v go >/dev/null || { echo "ensure-helm: Go is needed to build Helm" >&2; exit 1; }
  mkdir -p "$tools"
  # What Helm's Makefile passes and go install does not: the version, and the Kubernetes version
  # that `helm template` and `helm lint` assume (that of its client-go, v0.X -> 1.X), else v1.20.
  gomod="$(cd "$tools" && go mod download -json "helm.sh/helm/v3@${helm_version}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  kube_minor="$(sed -n 's/^[[:space:]]*k8s\.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "$gomod")"
  [ -n "$kube_minor" ] || { echo "ensure-helm: cannot read Helm's client-go version from $gomod" >&2; exit 1; }
  ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=${helm_version}"
  for package in pkg/chartutil pkg/lint/rules; do
    ldflags+=" -X helm.sh/helm/v3/${package}.k8sVersionMajor=1 -X helm.sh/helm/v3/${package}.k8sVersionMinor=${kube_minor}"
  done
  CGO_ENABLED=0 GOBIN="$tools" go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@${helm_version}"
  echo "$stamp" > "$tools/helm.stamp"
fi
echo "$helm"
