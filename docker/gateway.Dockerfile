# syntax=docker/dockerfile:1
# StreamCaster gateway: the HTTP edge (REST, WebSocket, dashboard, ingest hooks). The build stage's
# `node tools/build.mjs` builds the dashboard too (dist/apps/dashboard), which the gateway serves at /.
# Built from the repository root: docker build -f docker/gateway.Dockerfile -t streamcaster/gateway .
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build ------------------------------------------------------------------------------------------
# Byte-for-byte the same in every service Dockerfile (tests/deployment checks it): BuildKit then builds
# it once and every service image reuses the cached layers.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
# The lockfile alone first, so the dependency layer survives every change that is not a dependency change.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
COPY . .
# One TypeScript program for the whole workspace (also links dist/node_modules/@streamcaster/*), then
# drop the compilers and linters so that only what runs is copied into the runtime stage.
RUN node tools/build.mjs \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime ----------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# tini as PID 1: Node would otherwise be PID 1, which the kernel shields from default signal actions,
# and nobody would reap orphaned children. tini forwards SIGTERM so Nest's shutdown hooks run.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=2 \
    STREAMCASTER_DATA_DIR=/data \
    GATEWAY_HOST=0.0.0.0 \
    GATEWAY_PORT=8080 \
    DASHBOARD_DIR=/app/dist/apps/dashboard
WORKDIR /app
# Code and dependencies stay owned by root: the service cannot rewrite what it runs. The root
# package.json comes along because its "type": "module" is what makes Node load dist/ as ES modules.
# dist/ carries the dashboard's build (dist/apps/dashboard, DASHBOARD_DIR) with the compiled services.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# The shared data volume (assets, recordings) is written by several images; all of them run as uid 1000
# (the node image's "node" user) so a file one service writes is the others' to read.
RUN install -d -o node -g node /data
VOLUME /data
USER node
# 8080: the public API. 8081: the internal listener of the nginx-rtmp hooks (INGEST_HOOKS_PORT), for
# the ingest servers' network only; its address (INGEST_HOOKS_HOST) is the deployment's to choose.
EXPOSE 8080 8081
# Liveness: GET /api/health answers while the gateway runs. Readiness (/api/health/ready, which needs the
# backbone, nginx-rtmp and every service) is for the orchestrator's readiness probe, not for this check.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.GATEWAY_PORT + '/api/health').then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/apps/gateway/src/main.js"]
