#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1 (start them when installed but stopped), and that
# Debian's Chromium is present for the browser tests. Each failure names what is missing and how to fix it.
set -euo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

if ! command -v pg_isready >/dev/null; then
  echo "PostgreSQL client tools are missing: apt-get install -y postgresql" >&2; exit 1
fi
if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "Starting PostgreSQL..."
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 20); do pg_up && break; sleep 0.5; done
  fi
  pg_up || { echo "PostgreSQL is not reachable on 127.0.0.1:5432 and could not be started (apt-get install -y postgresql)." >&2; exit 1; }
fi

if ! command -v redis-cli >/dev/null; then
  echo "Redis is missing: apt-get install -y redis-server" >&2; exit 1
fi
if ! redis_up; then
  echo "Starting Redis..."
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  for _ in $(seq 1 20); do redis_up && break; sleep 0.25; done
  redis_up || { echo "Redis is not reachable on 127.0.0.1:6379 and could not be started." >&2; exit 1; }
fi

# Debian packages the suite uses: Chromium for the browser tests, docker-compose to validate the compose file.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v docker-compose >/dev/null || missing+=(docker-compose)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian packages for the suite: ${missing[*]}..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  elif [ ! -x /usr/bin/chromium ]; then
    echo "Browser tests need Debian's Chromium at /usr/bin/chromium: sudo apt-get install -y chromium" >&2; exit 1
  else
    echo "docker-compose is missing: the compose-file check will be skipped (sudo apt-get install -y docker-compose)."
  fi
fi
echo "PostgreSQL, Redis and Chromium are ready."
