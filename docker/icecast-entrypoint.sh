#!/bin/sh
# Renders Icecast's configuration from its template, then runs the container's command (icecast2).
set -eu

template=${ICECAST_TEMPLATE:-/etc/icecast2/templates/icecast.xml.template}
target=${ICECAST_CONF:-/run/icecast/icecast.xml}
if [ ! -r "$template" ]; then
  echo "icecast: cannot read the configuration template $template" >&2
  exit 78
fi

# The hooks' shared secret arrives as INGEST_HOOKS_SECRET, the same variable the gateway reads; the
# template wants it as the query string of every hook URL (HOOK_QUERY, "?secret=..."), percent-encoded
# so that no character of the secret can end the URL. (From the environment, not awk -v, which would
# interpret backslashes in the value.)
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

# One pass over the template, in awk: with MODE=names it prints the ${UPPER_CASE} placeholders, with
# MODE=render it replaces each with its variable's value, XML-escaped (& < > " '), since every value
# lands in XML text or in an attribute. Placeholders inside <!-- comments --> are left as they are and
# not asked for: Icecast never reads them. A value is inserted once, never searched for placeholders.
# shellcheck disable=SC2016 # ${NAME} is the template's syntax, nothing for the shell to expand
template_pass() {
  MODE=$1 LC_ALL=C awk '
    function xml(value,   out, i, c) {
      out = ""
      for (i = 1; i <= length(value); i++) {
        c = substr(value, i, 1)
        if (c == "&") c = "&amp;"
        else if (c == "<") c = "&lt;"
        else if (c == ">") c = "&gt;"
        else if (c == "\"") c = "&quot;"
        else if (c == apostrophe) c = "&apos;"
        out = out c
      }
      return out
    }
    BEGIN { apostrophe = sprintf("%c", 39) }
    { text = text $0 "\n" }
    END {
      rest = text
      while (rest != "") {
        placeholder = match(rest, /\$\{[A-Z_][A-Z0-9_]*\}/) ? RSTART : 0
        length_ = RLENGTH
        comment = index(rest, "<!--")
        if (comment > 0 && (placeholder == 0 || comment < placeholder)) {
          close_ = index(substr(rest, comment + 4), "-->")
          end = close_ > 0 ? comment + 4 + close_ + 2 : length(rest) + 1
          out = out substr(rest, 1, end - 1)
          rest = substr(rest, end)
          continue
        }
        if (placeholder == 0) { out = out rest; break }
        name = substr(rest, placeholder + 2, length_ - 3)
        if (ENVIRON["MODE"] == "names") print name
        out = out substr(rest, 1, placeholder - 1) xml(ENVIRON[name])
        rest = substr(rest, placeholder + length_)
      }
      if (ENVIRON["MODE"] == "render") printf "%s", out
    }' "$template"
}

# An unset or empty placeholder would leave an empty password (what does Icecast make of that?), a hook
# URL of "" (every DJ refused) or a port of "". Name them instead.
missing=''
for name in $(template_pass names | sort -u); do
  if [ -z "$(printenv "$name" || true)" ]; then
    # HOOK_QUERY is made from the gateway's secret: ask for that one.
    [ "$name" = HOOK_QUERY ] && name=INGEST_HOOKS_SECRET
    missing="$missing $name"
  fi
done
if [ -n "$missing" ]; then
  echo "icecast: $template needs these environment variables, which are unset or empty:$missing" >&2
  exit 78
fi

# The rendered file holds the hooks' secret and the admin's password: nobody but Icecast's user reads
# it, from the moment it exists.
umask 077
template_pass render >"$target"
chmod 600 "$target"
exec "$@"
