#!/bin/sh
# Installs the production dependencies of one Node process of the shop, and of @shop/common, into
# the current folder (a copy of the repository's package.json files and lock file):
#   sh scripts/docker/install-service-deps.sh <customer|products|shopping|gateway>
# The Dockerfile's deps stage runs it; scripts/check-compose.sh runs it too and checks the result.
set -eu
service="${1:?usage: install-service-deps.sh <customer|products|shopping|gateway>}"

# npm's workspace filter installs every package a workspace names when another workspace installs
# it, optional peers included: common's optional mongoose and amqplib (which the backends install)
# would reach the gateway, which loads only @shop/common/web and needs neither.
if [ "$service" = gateway ]; then
  npm pkg delete peerDependencies peerDependenciesMeta --workspace=@shop/common
fi
npm ci --omit=dev --workspace="@shop/${service}" --no-audit --no-fund
# npm nests a package under a workspace only on a version clash; the mkdir makes those folders
# exist either way, so that the runtime stage can always copy them.
mkdir -p common/node_modules "${service}/node_modules"
