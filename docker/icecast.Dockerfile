# syntax=docker/dockerfile:1
# Icecast: the ingest of audio-only DJs (Traktor and other Icecast source clients), mounts /live/<dj-slug>
# and /test/<dj-slug>, each source and listener let in by the gateway's hooks (docs/icecast.md).
# Built from the repository root: docker build -f docker/icecast.Dockerfile -t streamcaster/icecast .
#
# Debian 12's icecast2 (2.4.4), the same package the one-machine setup runs, so one configuration
# template (infra/icecast/icecast.xml.template) serves both.
FROM debian:bookworm-slim

# icecast2 only, without its recommendations; curl (on the libcurl icecast2 already needs) for the health
# check. The entrypoint renders the template with the base image's sh and awk.
# Icecast refuses to run as root, and its <changeowner> (nobody) needs root to act: it runs as uid 1000
# from the start, like every StreamCaster image (it then only warns "Can't change user id unless you are
# root"). RUN_DIR (the rendered configuration, mode 600, and the pid file) is that user's alone.
# Both logs go to the container's output, where `docker compose logs` finds them. Icecast renames a log
# that outgrows the template's <logsize> to *.old and opens a new file in its place: LOG_DIR is root's,
# so that rename fails and Icecast opens the same link to the container's output again, instead of
# turning it into a file inside the container.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends icecast2 curl \
 && rm -rf /var/lib/apt/lists/* \
 && install -d -o 1000 -g 1000 -m 700 /run/icecast \
 && install -d -m 755 /var/log/icecast /etc/icecast2/templates \
 && ln -s /dev/stderr /var/log/icecast/icecast-error.log \
 && ln -s /dev/stdout /var/log/icecast/icecast-access.log

# The template's placeholders that are facts about this image; the deployment's own ones (the port, the
# hook URL, the passwords) come from compose. Inside a container Icecast listens on every interface: the
# DJs come in through the published port, the gateway and the transcoder from the stack's network.
# ICECAST_CONF: where the entrypoint renders the configuration, which CMD names.
ENV RUN_DIR=/run/icecast \
    LOG_DIR=/var/log/icecast \
    ICECAST_BIND_ADDRESS=0.0.0.0 \
    ICECAST_CONF=/run/icecast/icecast.xml

COPY infra/icecast/icecast.xml.template /etc/icecast2/templates/icecast.xml.template
COPY --chmod=0755 docker/icecast-entrypoint.sh /usr/local/bin/icecast-entrypoint

USER 1000:1000
EXPOSE 8000
# The status page the gateway reads (public, no password): Icecast answers it once it serves requests.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["sh", "-c", "curl -fsS -o /dev/null --max-time 2 \"http://127.0.0.1:${ICECAST_LISTEN_PORT}/status-json.xsl\""]
# SIGTERM (or SIGINT) is Icecast's shutdown; SIGHUP would only reread the configuration.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/icecast-entrypoint"]
# In the foreground (no -b) as the container's main process.
CMD ["icecast2", "-c", "/run/icecast/icecast.xml"]
