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
  "pkill procps"
  "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf fonts-dejavu-core"
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

# PostgreSQL, Redis and NATS: reuse the ones listening on their standard ports, else start local ones.
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
  if ! port_open 127.0.0.1 6379; then
    say "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/streamcaster.log
    wait_port 127.0.0.1 6379 Redis
  fi
  if ! port_open 127.0.0.1 4222; then
    say "starting NATS"
    mkdir -p /var/lib/nats-server
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
      -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
    wait_port 127.0.0.1 4222 NATS
  fi
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
