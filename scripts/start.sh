#!/usr/bin/env bash
# `npm start`: installs what a fresh Debian 12 machine lacks, then runs the whole system in the
# foreground (nginx-rtmp and every service). Ctrl-C or SIGTERM stops all of it.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ensure_packages "${SYSTEM_NEEDS[@]}"
ensure_backbone
ensure_node_modules
build
# exec: the stack receives Ctrl-C / SIGTERM itself and stops its children before it exits.
exec "$ROOT/node_modules/.bin/node" --enable-source-maps dist/tools/stack/main.js
