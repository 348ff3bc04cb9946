#!/usr/bin/env bash
# `npm test`: every test (unit, integration, end to end) on the real components of this machine.
# Any arguments narrow the run to those files, e.g. `npm test -- 'dist/libs/**/*.spec.js'` (compiled
# node:test files) or `npm test -- apps/dashboard/src/format/format.test.ts` (the dashboard's Vitest files).
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

# Arguments narrow the run: the dashboard's Vitest files (apps/dashboard/...) go to Vitest, the
# rest (compiled node:test files) to node. Without arguments, both run everything.
vitest_files=()
node_files=()
run_vitest=0
if [ "$#" -eq 0 ]; then
  run_vitest=1
  node_files=('dist/**/*.spec.js' 'dist/**/*.int-spec.js' 'dist/**/*.e2e-spec.js')
else
  for file in "$@"; do
    case "$file" in
      apps/dashboard/*) vitest_files+=("$file"); run_vitest=1 ;;
      *) node_files+=("$file") ;;
    esac
  done
fi

# Vitest's counts reach the last line through its JSON report, which the node reporter adds in.
vitest_report="$(mktemp -t streamcaster-vitest.XXXXXX.json)"
trap 'rm -f "$vitest_report"' EXIT
vitest_status=0
if [ "$run_vitest" -eq 1 ]; then
  say "testing the dashboard (Vitest)"
  rm -f "$vitest_report"
  "$ROOT/node_modules/.bin/node" "$ROOT/node_modules/.bin/vitest" run --config apps/dashboard/vite.config.ts \
    --reporter=default --reporter=json --outputFile.json="$vitest_report" "${vitest_files[@]}" || vitest_status=$?
  export STREAMCASTER_VITEST_REPORT="$vitest_report"
fi

node_status=0
if [ "${#node_files[@]}" -gt 0 ]; then
  say "testing"
  # One file at a time: the end-to-end files each bring up the whole system and its ports.
  "$ROOT/node_modules/.bin/node" --enable-source-maps --test --test-concurrency=1 \
    --test-reporter=./tools/test-reporter.mjs "${node_files[@]}" || node_status=$?
else
  # Only dashboard files: the reporter prints the last line from Vitest's counts alone.
  "$ROOT/node_modules/.bin/node" ./tools/test-reporter.mjs || node_status=$?
fi
[ "$vitest_status" -eq 0 ] && [ "$node_status" -eq 0 ]
