#!/usr/bin/env bash
# `make run`: the whole product on one machine — web, scheduler and worker — until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/${VENV:-.venv}/bin:$PATH"
export APP_ENV="${APP_ENV:-development}"
port="${PORT:-5000}"
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:$port}"

flask --app app db upgrade
flask --app app demo

trap 'kill 0 2>/dev/null' EXIT INT TERM
flask --app app scheduler &
flask --app app worker &
flask --app app run --host 127.0.0.1 --port "$port" &

cat <<EOT

ClickPay Assistant is running (Ctrl-C stops everything):
  Payment links:  the demo links printed above
  Console:        $PUBLIC_BASE_URL/console/login
  API:            $PUBLIC_BASE_URL/api/v1/openapi.json
  Health:         $PUBLIC_BASE_URL/healthz
EOT
wait -n
