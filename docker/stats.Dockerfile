# syntax=docker/dockerfile:1
# StreamCaster stats: reads nginx-rtmp's /stat, the progress events and the host once a second,
# publishes the snapshots and keeps each broadcast's history.
# Built from the repository root: docker build -f docker/stats.Dockerfile -t streamcaster/stats .
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
# No ffmpeg: the stats service only reads. tini as PID 1 forwards SIGTERM and reaps the nvidia-smi it
# runs. On a GPU machine the NVIDIA container toolkit mounts nvidia-smi into the container; without
# it the snapshots say `gpu: null`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=2 \
    STREAMCASTER_DATA_DIR=/data
WORKDIR /app
# Code and dependencies stay owned by root: the service cannot rewrite what it runs. The root
# package.json comes along because its "type": "module" is what makes Node load dist/ as ES modules.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# The shared data volume (assets, recordings): the stats service reports its free space. All images run
# as uid 1000 (the node image's "node" user) so a file one service writes is the others' to read.
RUN install -d -o node -g node /data
VOLUME /data
USER node
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/apps/stats/src/main.js"]
