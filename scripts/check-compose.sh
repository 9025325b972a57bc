#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine: `docker-compose config` parses the file,
# checks it against the Compose schema and resolves ${VAR} interpolation from .env.dev, which is
# what `docker compose --env-file .env.dev up` would use. Installs Debian's docker-compose when
# missing (as root), so that it runs the same on a fresh machine and in CI.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if ! command -v docker-compose >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "check-compose: docker-compose is missing; install it as root: apt-get install -y docker-compose" >&2
    exit 1
  fi
  echo "check-compose: installing Debian's docker-compose" >&2
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
  install() { apt-get install -y -qq docker-compose </dev/null; }
  log="$(mktemp)"
  # Package lists may be missing (a fresh machine) or stale: update and retry only then.
  # apt's chatter goes to a log, shown only when something fails.
  if ! { install || { apt-get update -qq && install; }; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "check-compose: could not install docker-compose" >&2
    exit 1
  fi
  rm -f "$log"
fi

# The env files must exist for `config` to pass, as they must for `up`.
for file in .env .env.dev; do
  if [ ! -f "$file" ]; then
    echo "check-compose: $file is missing (docker-compose.yml reads it as an env_file)" >&2
    exit 1
  fi
done

docker-compose --env-file .env.dev -f docker-compose.yml config -q
# Without --env-file too: the defaults in the file must make a plain `docker compose up` work.
docker-compose -f docker-compose.yml config -q
echo "check-compose: docker-compose.yml is valid"
