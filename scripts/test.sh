#!/usr/bin/env bash
# `npm test`: every test (unit, integration, end to end) on the real components of this machine.
# Any arguments narrow the run to those compiled test files, e.g. `npm test -- dist/libs/**/*.spec.js`.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ensure_packages "${SYSTEM_NEEDS[@]}" "${TEST_NEEDS[@]}"
ensure_backbone
# The tests reach the backbone as the services do: with the credentials of the servers StreamCaster
# started (createTestEnvironment takes TEST_NATS_URL and TEST_REDIS_URL), unless they are set already.
for name in NATS_URL REDIS_URL; do
  value=$(backbone_value "$name")
  test_name="TEST_$name"
  if [ -n "$value" ] && [ -z "${!test_name:-}" ]; then export "$test_name=$value"; fi
done
ensure_node_modules
build
say "linting"
# The Nx boundary rule reads the project graph from .nx/; compute it afresh (no daemon in CI).
NX_DAEMON=false "$ROOT/node_modules/.bin/nx" show projects >/dev/null
NX_DAEMON=false "$ROOT/node_modules/.bin/eslint" --max-warnings=0 .

if [ "$#" -eq 0 ]; then
  set -- 'dist/**/*.spec.js' 'dist/**/*.int-spec.js' 'dist/**/*.e2e-spec.js'
fi
say "testing"
# One file at a time: the end-to-end files each bring up the whole system and its ports.
exec "$ROOT/node_modules/.bin/node" --enable-source-maps --test --test-concurrency=1 \
  --test-reporter=./tools/test-reporter.mjs "$@"
