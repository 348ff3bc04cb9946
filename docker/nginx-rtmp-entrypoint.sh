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
exec "$@"
