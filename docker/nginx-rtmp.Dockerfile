# syntax=docker/dockerfile:1
# nginx-rtmp: the RTMP ingest (apps live and test, guarded by the gateway's on_publish hook) and the
# internal program application that the relays and the recorder read from.
# Built from the repository root: docker build -f docker/nginx-rtmp.Dockerfile -t streamcaster/nginx-rtmp .
#
# Debian 12's nginx-light with Debian's RTMP module, the same packages the one-machine setup installs, so
# one configuration template (infra/nginx-rtmp/nginx.conf.template) serves both.
FROM debian:bookworm-slim

# gettext-base brings envsubst, which renders the template when the container starts (the values, such
# as the gateway's hook URL, belong to the deployment, not to the image).
# Then make nginx runnable by an unprivileged user: the paths nginx writes by default (its temp folders,
# logs, pid file) and the configuration file the entrypoint renders become www-data's. The logs go to
# the container's output, where `docker compose logs` finds them.
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx-light libnginx-mod-rtmp gettext-base \
 && rm -rf /var/lib/apt/lists/* \
 && ln -sf /dev/stdout /var/log/nginx/access.log \
 && ln -sf /dev/stderr /var/log/nginx/error.log \
 && touch /run/nginx.pid \
 && chown -R www-data:www-data /var/lib/nginx /var/log/nginx /run/nginx.pid /etc/nginx/nginx.conf

COPY infra/nginx-rtmp/nginx.conf.template /etc/nginx/templates/nginx.conf.template
COPY --chmod=0755 docker/nginx-rtmp-entrypoint.sh /usr/local/bin/nginx-rtmp-entrypoint

# RTMP listens above 1024, so nginx needs no root at all; its worker processes run as this user too.
USER www-data
EXPOSE 1935
ENTRYPOINT ["/usr/local/bin/nginx-rtmp-entrypoint"]
# In the foreground, so that nginx is the container's main process and its exit stops the container.
CMD ["nginx", "-g", "daemon off;"]
