# syntax=docker/dockerfile:1
# nginx-rtmp: the RTMP ingest (applications live and test, guarded by the gateway's on_publish hook) and
# the internal program application that the relays and the recorder play.
# Built from the repository root: docker build -f docker/nginx-rtmp.Dockerfile -t streamcaster/nginx-rtmp .
#
# Debian 12's nginx-light with Debian's RTMP module, the same packages the one-machine setup runs, so one
# configuration template (infra/nginx-rtmp/nginx.conf.template) serves both.
FROM debian:bookworm-slim

# gettext-base brings envsubst, which renders the template when the container starts: the values (the
# gateway's hook URL, the internal network) belong to the deployment, not to the image.
# Then make nginx runnable by an unprivileged user, uid 1000 like every StreamCaster image: it writes
# the programs' preview (HLS) into the shared data volume, whose files the gateway (uid 1000) reads, and
# nginx-rtmp makes each stream's folder readable by its owner only. The folders the template puts its
# pid file, temp files and error log in become that user's, and so does the configuration file the
# entrypoint renders.
# Every log goes to the container's output, where `docker compose logs` finds it: the error log the
# template names, and Debian's default paths (used before the configuration is read, and by the RTMP
# module's access log, which the template leaves at its default).
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx-light libnginx-mod-rtmp gettext-base \
 && rm -rf /var/lib/apt/lists/* \
 && install -d -o 1000 -g 1000 /run/nginx-rtmp /var/log/nginx-rtmp /data /data/preview \
 && ln -sf /dev/stderr /var/log/nginx-rtmp/nginx-rtmp.log \
 && ln -sf /dev/stdout /var/log/nginx/access.log \
 && ln -sf /dev/stderr /var/log/nginx/error.log \
 && chown -R 1000:1000 /var/lib/nginx /var/log/nginx /etc/nginx/nginx.conf

# The template's placeholders that are facts about this image; the deployment's own ones (where to
# listen, the hook URL, the internal network) come from compose. PREVIEW_DIR: the program previews'
# HLS goes into the shared data volume, mounted at /data as in every StreamCaster image.
ENV RUN_DIR=/run/nginx-rtmp \
    LOG_DIR=/var/log/nginx-rtmp \
    RTMP_MODULE=/usr/lib/nginx/modules/ngx_rtmp_module.so \
    LOG_LEVEL=notice \
    PREVIEW_DIR=/data/preview

COPY infra/nginx-rtmp/nginx.conf.template /etc/nginx/templates/nginx.conf.template
COPY --chmod=0755 docker/nginx-rtmp-entrypoint.sh /usr/local/bin/nginx-rtmp-entrypoint

# RTMP and the statistics port listen above 1024, so nginx needs no root; its workers run as this user too.
USER 1000:1000
EXPOSE 1935
# SIGQUIT is nginx's graceful shutdown (SIGTERM, Docker's default, is its fast one).
STOPSIGNAL SIGQUIT
ENTRYPOINT ["/usr/local/bin/nginx-rtmp-entrypoint"]
# The template itself says `daemon off;`: nginx stays in the foreground as the container's main process.
CMD ["nginx"]
