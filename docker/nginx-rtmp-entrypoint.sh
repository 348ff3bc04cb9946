#!/bin/sh
# Renders the nginx configuration from its template, then runs the container's command (nginx).
set -eu

template=${NGINX_TEMPLATE:-/etc/nginx/templates/nginx.conf.template}
target=${NGINX_CONF:-/etc/nginx/nginx.conf}

# Only the template's own ${UPPER_CASE} placeholders are replaced. nginx's variables ($remote_addr, $name,
# ...) look the same to envsubst, which would turn every one of them into an empty string. Placeholders
# named in comments (# to the end of the line) are not asked for: nginx never reads them.
# shellcheck disable=SC2016 # the pattern matches a literal ${NAME}, nothing to expand
placeholders=$(sed 's/#.*//' "$template" | grep -o '\${[A-Z_][A-Z0-9_]*}' | sort -u | tr '\n' ' ' || true)

# The hooks' shared secret arrives as INGEST_HOOKS_SECRET, the same variable the gateway reads; the
# template wants it as the query string of every hook URL (HOOK_QUERY, "?secret=..."), percent-encoded
# so that no character of the secret can end the URL or the nginx directive.
# (From the environment, not awk -v, which would interpret backslashes in the value.)
percent_encode() {
  VALUE=$1 LC_ALL=C awk 'BEGIN {
    value = ENVIRON["VALUE"]
    for (i = 0; i < 256; i++) code[sprintf("%c", i)] = i
    for (i = 1; i <= length(value); i++) {
      c = substr(value, i, 1)
      if (c ~ /[A-Za-z0-9._~-]/) printf "%s", c
      else printf "%%%02X", code[c]
    }
  }'
}
if [ -z "${HOOK_QUERY+set}" ] && [ -n "${INGEST_HOOKS_SECRET:-}" ]; then
  HOOK_QUERY="?secret=$(percent_encode "$INGEST_HOOKS_SECRET")"
  export HOOK_QUERY
fi

# An unset placeholder would become an empty string (a hook URL of "", a port of "") and nginx would
# start with a broken configuration or refuse it with a message about the wrong line. Name them instead.
missing=''
for placeholder in $placeholders; do
  name=${placeholder#??}
  name=${name%?}
  printenv "$name" >/dev/null || missing="$missing $name"
done
if [ -n "$missing" ]; then
  echo "nginx-rtmp: $template needs these environment variables, which are unset:$missing" >&2
  exit 78
fi

envsubst "$placeholders" <"$template" >"$target"
# The rendered file holds the hooks' secret: nobody but nginx's user reads it.
chmod 600 "$target"
exec "$@"
