# syntax=docker/dockerfile:1
# StreamCaster transcoder: the BullMQ worker that composes the picture and encodes the program once per
# rendition, on the GPU when there is one.
# Built from the repository root, after the ffmpeg image (infra/ffmpeg):
#   docker build -t streamcaster/ffmpeg:bookworm infra/ffmpeg
#   docker build -f docker/transcoder.Dockerfile -t streamcaster/transcoder .
ARG NODE_IMAGE=node:24-bookworm-slim
# The NVENC/VAAPI/QSV-capable ffmpeg. Its name is a build argument (and, under compose, a named build
# context) so that a registry copy of it can be used instead of a local build.
ARG FFMPEG_IMAGE=streamcaster/ffmpeg:bookworm

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
# Not a node image: the GPU-capable ffmpeg comes first, and Node joins it. Both are Debian 12 (bookworm),
# so the Node binary of the build stage runs on it unchanged (same glibc and libstdc++).
FROM ${FFMPEG_IMAGE} AS runtime
COPY --from=build /usr/local/bin/node /usr/local/bin/node
# fonts-dejavu-core: the font that drawtext uses for the DJ's name and "now playing".
# tini as PID 1: forwards SIGTERM so the encoder is stopped cleanly, and reaps any orphaned ffmpeg.
# The "node" user (uid 1000) is the one every StreamCaster image runs as, so the shared volume's files
# belong to the same user whichever service wrote them.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin node
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=2 \
    STREAMCASTER_DATA_DIR=/data \
    FFMPEG_PATH=/usr/bin/ffmpeg
WORKDIR /app
# Code and dependencies stay owned by root: the service cannot rewrite what it runs. The root
# package.json comes along because its "type": "module" is what makes Node load dist/ as ES modules.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
RUN install -d -o node -g node /data
VOLUME /data
USER node
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/apps/transcoder/src/main.js"]
