# Shared by start.sh and test.sh: make a fresh Debian 12 machine (as root) ready to build and run
# StreamCaster. Every step checks first and does nothing when its part is already there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

say() { printf '\033[1m[streamcaster]\033[0m %s\n' "$*"; }

# Debian packages the system runs on. Each entry: "command-or-path package".
SYSTEM_NEEDS=(
  "ffmpeg ffmpeg"
  "ffprobe ffmpeg"
  "nginx nginx-light"
  "/usr/lib/nginx/modules/ngx_rtmp_module.so libnginx-mod-rtmp"
  "stunnel4 stunnel4"
  "openssl openssl"
  "setpriv util-linux"
  # The ingest of audio-only DJs (Traktor).
  "icecast2 icecast2"
  "pkill procps"
  "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf fonts-dejavu-core"
)
# Only for `npm test`: the dashboard's browser tests drive Debian's Chromium (playwright-core).
TEST_NEEDS=(
  "chromium chromium"
  # Reads the text the program draws (the slate, now playing) back from decoded frames.
  "tesseract tesseract-ocr"
  # The deployment checks run the images' health check commands (curl) against a local server.
  "curl curl"
)
BACKBONE_NEEDS=(
  "pg_ctlcluster postgresql"
  "psql postgresql-client"
  "redis-server redis-server"
  "nats-server nats-server"
)

have() { case "$1" in /*) [ -e "$1" ] ;; *) command -v "$1" >/dev/null 2>&1 ;; esac; }

apt_updated=0
apt_install() {
  [ "$#" -gt 0 ] || return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: $* (run as root, or install them: apt-get install $*)" >&2
    exit 1
  fi
  if [ "$apt_updated" -eq 0 ]; then
    say "apt-get update"
    apt-get update -qq
    apt_updated=1
  fi
  say "installing Debian packages: $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_packages() {
  local missing=() entry
  for entry in "$@"; do
    set -- $entry
    have "$1" || missing+=("$2")
  done
  # shellcheck disable=SC2046
  [ "${#missing[@]}" -eq 0 ] || apt_install $(printf '%s\n' "${missing[@]}" | sort -u)
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_port() {
  local host=$1 port=$2 name=$3 i
  for i in $(seq 1 100); do
    port_open "$host" "$port" && return 0
    sleep 0.2
  done
  echo "$name did not come up on $host:$port" >&2
  exit 1
}

# StreamCaster's state on this machine; tools/stack/main.ts reads the same STREAMCASTER_VAR_DIR.
VAR_DIR="$(realpath -m "${STREAMCASTER_VAR_DIR:-var}")"
# The credentials of the Redis and NATS servers StreamCaster starts itself (mode 600, kept across
# starts), and the URLs with them for the servers that ask for them; tools/stack/main.ts reads it.
BACKBONE_ENV="$VAR_DIR/backbone.env"

# One NAME=value of var/backbone.env, empty when it is not there.
backbone_value() {
  [ -f "$BACKBONE_ENV" ] || return 0
  sed -n "s/^$1=//p" "$BACKBONE_ENV" | tail -n 1
}

# Whether the NATS on 127.0.0.1:$1 asks for credentials: it greets every client with INFO {...}, which
# says "auth_required":true when the server has users.
nats_requires_auth() (
  local info=''
  exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
  IFS= read -r -t 3 info <&3 || true
  [[ $info == *'"auth_required":true'* ]]
) 2>/dev/null

# Whether the Redis on 127.0.0.1:$1 asks for a password: it answers a client that has not
# authenticated with -NOAUTH.
redis_requires_auth() (
  local reply=''
  exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
  printf 'PING\r\n' >&3
  IFS= read -r -t 3 reply <&3 || true
  [[ $reply == -NOAUTH* ]]
) 2>/dev/null

# PostgreSQL, Redis and NATS: reuse the ones listening on their standard ports, else start local ones.
# Redis and NATS that StreamCaster starts take only the credentials it generated (var/backbone.env);
# servers that already ran without authentication are reused as they are, without credentials.
ensure_backbone() {
  if ! port_open 127.0.0.1 5432 || ! port_open 127.0.0.1 6379 || ! port_open 127.0.0.1 4222; then
    ensure_packages "${BACKBONE_NEEDS[@]}"
  fi
  if ! port_open 127.0.0.1 5432; then
    say "starting PostgreSQL"
    local version
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    wait_port 127.0.0.1 5432 PostgreSQL
  fi
  local stored_redis_password stored_nats_password redis_password nats_password redis_url='' nats_url=''
  stored_redis_password=$(backbone_value STREAMCASTER_REDIS_PASSWORD)
  stored_nats_password=$(backbone_value STREAMCASTER_NATS_PASSWORD)
  # Hex: URL-safe, so the passwords go into REDIS_URL and NATS_URL as they are.
  redis_password=${stored_redis_password:-$(openssl rand -hex 24)}
  nats_password=${stored_nats_password:-$(openssl rand -hex 24)}
  local own_redis_url="redis://:$redis_password@127.0.0.1:6379"
  local own_nats_url="nats://streamcaster:$nats_password@127.0.0.1:4222"

  if ! port_open 127.0.0.1 6379; then
    say "starting Redis (password in $BACKBONE_ENV)"
    mkdir -p /var/lib/redis /var/log/redis "$VAR_DIR"
    # The password comes in on stdin, so that it never shows in the process list.
    printf 'requirepass %s\n' "$redis_password" |
      redis-server - --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/streamcaster.log --pidfile "$VAR_DIR/redis-server.pid" >/dev/null
    wait_port 127.0.0.1 6379 Redis
    redis_url=$own_redis_url
  elif redis_requires_auth 6379; then
    # Most likely the one an earlier start left running (if not, REDIS_URL in the environment wins).
    if [ -n "$stored_redis_password" ]; then
      redis_url=$own_redis_url
    else
      say "Redis on 127.0.0.1:6379 asks for a password that StreamCaster does not have: set REDIS_URL=redis://:<password>@127.0.0.1:6379"
    fi
  fi

  if ! port_open 127.0.0.1 4222; then
    say "starting NATS (credentials in $BACKBONE_ENV)"
    mkdir -p /var/lib/nats-server "$VAR_DIR"
    # A config file rather than --user/--pass: arguments are visible to every user in the process list.
    (
      umask 077
      printf '# Written by scripts/lib/common.sh from %s.\nauthorization {\n  user: "streamcaster"\n  password: "%s"\n}\n' \
        "$BACKBONE_ENV" "$nats_password" >"$VAR_DIR/nats-server.conf"
    )
    # The pid file: without it, any nats-server already running (on another port) counts as this one.
    start-stop-daemon --start --oknodo --background --make-pidfile --pidfile "$VAR_DIR/nats-server.pid" \
      --exec /usr/sbin/nats-server -- \
      -c "$VAR_DIR/nats-server.conf" -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
    wait_port 127.0.0.1 4222 NATS
    nats_url=$own_nats_url
  elif nats_requires_auth 4222; then
    if [ -n "$stored_nats_password" ]; then
      nats_url=$own_nats_url
    else
      say "NATS on 127.0.0.1:4222 asks for credentials that StreamCaster does not have: set NATS_URL=nats://<user>:<password>@127.0.0.1:4222"
    fi
  fi

  write_backbone_env "$redis_password" "$nats_password" "$redis_url" "$nats_url"
}

# Rewrites var/backbone.env (mode 600, replaced in one step): the passwords always, so that every later
# start gives its servers the same ones, and the URLs only for the servers that take them.
write_backbone_env() {
  mkdir -p "$VAR_DIR"
  (
    umask 077
    {
      echo "# Written by scripts/lib/common.sh (npm start, npm test); read by tools/stack/main.ts."
      echo "# The passwords of the Redis and NATS servers StreamCaster starts on this machine, reused by"
      echo "# every later start. REDIS_URL / NATS_URL: only for a running server that asks for them; a"
      echo "# variable of the same name in the environment wins."
      echo "STREAMCASTER_REDIS_PASSWORD=$1"
      echo "STREAMCASTER_NATS_PASSWORD=$2"
      [ -z "$3" ] || echo "REDIS_URL=$3"
      [ -z "$4" ] || echo "NATS_URL=$4"
    } >"$BACKBONE_ENV.tmp"
    mv -f "$BACKBONE_ENV.tmp" "$BACKBONE_ENV"
  )
}

# npm packages, reinstalled only when package-lock.json changed since the last install.
ensure_node_modules() {
  local stamp=node_modules/.streamcaster-lock
  if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    have npm || apt_install npm
    say "installing npm packages"
    # Not `npm ci`: the registry here lacks some other platforms' optional binaries (msgpackr-extract
    # for macOS/Windows), which `npm ci` counts as a lock mismatch. `npm install` keeps the lock as is.
    npm install --no-audit --no-fund --loglevel=error
    cp package-lock.json "$stamp"
  fi
}

build() {
  say "building"
  npm run --silent build
}
