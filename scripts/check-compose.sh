#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine: `docker-compose config` parses the file,
# checks it against the Compose schema and resolves ${VAR} interpolation: it must refuse to start
# without the production secrets, accept them as .env.example asks for them, and never hand a
# container a development secret of .env.dev. Installs Debian's docker-compose when
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
for file in .env .env.example; do
  if [ ! -f "$file" ]; then
    echo "check-compose: $file is missing" >&2
    exit 1
  fi
done

deployer="$(mktemp)"
nothing="$(mktemp)"
trap 'rm -f "$deployer" "$nothing"' EXIT

# Without its secrets, compose must refuse to start, naming one.
if refusal="$(docker-compose --env-file "$nothing" -f docker-compose.yml config -q 2>&1)" || ! grep -q 'set [A-Z_]*, see .env.example' <<<"$refusal"; then
  echo "check-compose: docker-compose.yml must refuse to start without JWT_PRIVATE_KEY, JWT_PUBLIC_KEY, ADMIN_PASSWORD, RABBITMQ_DEFAULT_PASS and the services' AMQP passwords (got: ${refusal:-a valid file})" >&2
  exit 1
fi

# With them, as a deployer fills in .env.example (random values for the empty ones), it is valid.
while IFS= read -r line; do
  case "$line" in
    '' | '#'*) ;;
    *=) echo "${line}$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" ;;
    *) echo "$line" ;;
  esac
done <.env.example >"$deployer"
docker-compose --env-file "$deployer" -f docker-compose.yml config -q

# No development secret reaches a container (env_file contents are part of the resolved file).
resolved="$(docker-compose --env-file "$deployer" -f docker-compose.yml config)"
for name in JWT_PRIVATE_KEY JWT_PUBLIC_KEY ADMIN_PASSWORD RABBITMQ_DEFAULT_PASS CUSTOMER_AMQP_PASSWORD PRODUCTS_AMQP_PASSWORD SHOPPING_AMQP_PASSWORD; do
  value="$(sed -n "s/^${name}=//p" .env.dev)"
  # A key's PEM is quoted; its base64 lines (between the \n escapes) are what would show.
  value="${value#\"}"
  value="${value%\"}"
  value="${value#*\\n}"
  value="${value%%\\n*}"
  if [ -n "$value" ] && grep -qF -- "$value" <<<"$resolved"; then
    echo "check-compose: the development $name of .env.dev reaches a container" >&2
    exit 1
  fi
done
echo "check-compose: docker-compose.yml is valid"

# What the Dockerfile's deps stage installs, installed the same way (its script, on a copy of the
# package files) without a Docker engine: the gateway gets neither mongoose nor amqplib, nor the
# MongoDB driver; a backend gets both.
install_dir="$(mktemp -d)"
trap 'rm -f "$deployer" "$nothing"; rm -rf "$install_dir"' EXIT

install_for() {
  local service="$1"
  rm -rf "${install_dir:?}"/*
  cp package.json package-lock.json "$install_dir/"
  for workspace in common customer products shopping gateway; do
    mkdir -p "$install_dir/$workspace"
    cp "$workspace/package.json" "$install_dir/$workspace/"
  done
  mkdir -p "$install_dir/scripts/docker"
  cp scripts/docker/install-service-deps.sh "$install_dir/scripts/docker/"
  if ! (cd "$install_dir" && sh scripts/docker/install-service-deps.sh "$service" >install.log 2>&1); then
    cat "$install_dir/install.log" >&2
    echo "check-compose: the $service image's install failed" >&2
    exit 1
  fi
}

# Where the runtime stage copies node_modules from: the root, common's and the service's own.
installed() {
  local service="$1" package="$2"
  [ -d "$install_dir/node_modules/$package" ] || [ -d "$install_dir/common/node_modules/$package" ] || [ -d "$install_dir/$service/node_modules/$package" ]
}

install_for gateway
for package in mongoose amqplib mongodb; do
  if installed gateway "$package"; then
    echo "check-compose: the gateway image would install $package" >&2
    exit 1
  fi
done
installed gateway express || { echo "check-compose: the gateway image would miss express" >&2; exit 1; }
install_for shopping
for package in mongoose amqplib; do
  installed shopping "$package" || { echo "check-compose: the shopping image would miss $package" >&2; exit 1; }
done
echo "check-compose: the gateway image installs neither mongoose nor amqplib; the backends install both"
