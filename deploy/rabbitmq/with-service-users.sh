#!/bin/bash
# RabbitMQ for docker compose: the image's own start, then each service's user (password from the
# environment) with the rights of service-permissions.json, and no guest account.
set -euo pipefail

docker-entrypoint.sh rabbitmq-server &
server=$!
trap 'kill -TERM "$server"; wait "$server"' TERM INT

rabbitmqctl -q await_startup
for service in customer products shopping; do
  variable="${service^^}_AMQP_PASSWORD"
  password="${!variable:?set $variable, see .env.example}"
  if rabbitmqctl -q list_users | grep -q "^${service}\b"; then
    rabbitmqctl -q change_password "$service" "$password"
  else
    rabbitmqctl -q add_user "$service" "$password"
  fi
done
rabbitmqctl -q import_definitions /etc/shop/service-permissions.json
rabbitmqctl -q delete_user guest 2>/dev/null || true
touch /tmp/service-users-ready

wait "$server"
