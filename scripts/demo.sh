#!/usr/bin/env bash
# `make demo`: the real topology on the loopback.
#   merchant  http://127.0.0.1:$PORT       merchant-backend: the demo store (dist/)
#                                          and its API under /api, holding the secret key
#   provider  http://127.0.0.1:$PROVIDER_PORT/api  the sandbox's secret-keyed API
#   payments  http://localhost:$PAYMENTS_PORT      the sandbox: card-frame.html, POST /sources
#   ACS       http://127.0.0.1:$ACS_PORT           the sandbox: the 3-D Secure challenge
# REDIS=1 also starts a redis-server of its own and keeps the sessions there.
# Ctrl-C stops everything this script started (by pid).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-8787}
PAYMENTS_PORT=${PAYMENTS_PORT:-8788}
ACS_PORT=${ACS_PORT:-8789}
PROVIDER_PORT=${PROVIDER_PORT:-8790}
REDIS_PORT=${REDIS_PORT:-8791}
# The demo's provider key: the sandbox asks for it, the backend holds it. A
# real key comes from the deployment's secret store, never from a file.
SECRET=${DEMO_SECRET_KEY:-sk_test_demo_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')}

cargo build --quiet -p sandbox -p merchant-backend
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

if [ "${REDIS:-}" = 1 ]; then
  redis_dir=$(mktemp -d)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$redis_dir" >/dev/null &
  pids+=($!)
  for _ in $(seq 100); do
    (echo >"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null && break
    sleep 0.05
  done
  export MERCHANT_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
fi

SANDBOX_SECRET_KEY=$SECRET target/debug/sandbox --provider-only \
  --port "$PROVIDER_PORT" --payments-port "$PAYMENTS_PORT" --acs-port "$ACS_PORT" \
  --allow-origin "http://127.0.0.1:$PORT" --dist dist &
pids+=($!)

MERCHANT_SECRET_KEY=$SECRET \
MERCHANT_CATALOGUE=merchant-backend/catalogue.json \
MERCHANT_UPSTREAM="http://127.0.0.1:$PROVIDER_PORT/api" \
MERCHANT_ADDR="127.0.0.1:$PORT" \
MERCHANT_DIST=dist \
MERCHANT_PAYMENTS_BASE="http://localhost:$PAYMENTS_PORT/api" \
MERCHANT_DEMO_SIGN_IN=1 \
  target/debug/merchant-backend &
pids+=($!)

echo "demo store: http://127.0.0.1:$PORT/   (Ctrl-C stops it)"
wait -n "${pids[@]}"
