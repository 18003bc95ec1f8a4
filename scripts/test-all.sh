#!/usr/bin/env bash
# `npm test`: every test Jobdeck has — vitest (unit + integration on a real PostgreSQL) and
# Playwright (a real Chromium against a production build). Prepares what it can on this kind
# of machine (starts PostgreSQL, installs Debian's chromium) and says exactly what to do otherwise.
# Ends with one line "N passed, M failed" summing both runners.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .test-reports

say() { printf '[test] %s\n' "$*" >&2; }

PGHOST_CHECK=${JOBDECK_TEST_PGHOST:-127.0.0.1}
if ! pg_isready -q -h "$PGHOST_CHECK" -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    say "PostgreSQL is down; starting it"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST_CHECK" -p 5432 && break; sleep 1; done
  fi
  if ! pg_isready -q -h "$PGHOST_CHECK" -p 5432 2>/dev/null; then
    say "PostgreSQL is not reachable on $PGHOST_CHECK:5432. Start it (pg_ctlcluster --skip-systemctl-redirect <version> main start) or set JOBDECK_TEST_DATABASE_URL to a local server."
    echo "0 passed, 1 failed"
    exit 1
  fi
fi

CHROMIUM=${JOBDECK_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  say "Chromium not found at $CHROMIUM; installing Debian's chromium"
  if [ "$(id -u)" = 0 ]; then
    (apt-get install -y chromium >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y chromium >/dev/null 2>&1; }) || true
  fi
  if [ ! -x "$CHROMIUM" ]; then
    say "Could not install chromium. Run: sudo apt-get update && sudo apt-get install -y chromium (or set JOBDECK_CHROMIUM to a Chromium binary)."
    echo "0 passed, 1 failed"
    exit 1
  fi
fi

# Celery tests run a real Celery worker with Debian's celery (under /usr/bin/python3: a pyenv
# python3 on the PATH cannot import Debian's packages) over their own redis-server and RabbitMQ.
# SQLAlchemy and psycopg2: the database result backend (celery_taskmeta) the bridge backfills from.
celery_ready() { /usr/bin/python3 -c "import celery, redis, sqlalchemy, psycopg2" >/dev/null 2>&1 && command -v redis-server >/dev/null && command -v rabbitmq-server >/dev/null; }
if ! celery_ready; then
  say "Celery test dependencies missing; installing python3-celery python3-redis python3-sqlalchemy python3-psycopg2 redis-server rabbitmq-server"
  if [ "$(id -u)" = 0 ]; then
    pkgs="python3-celery python3-redis python3-sqlalchemy python3-psycopg2 redis-server rabbitmq-server"
    (DEBIAN_FRONTEND=noninteractive apt-get install -y $pkgs >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y $pkgs >/dev/null 2>&1; }) || true
  fi
  if ! celery_ready; then
    say "Could not install the Celery test dependencies. Run: sudo apt-get update && sudo apt-get install -y python3-celery python3-redis python3-sqlalchemy python3-psycopg2 redis-server rabbitmq-server"
    echo "0 passed, 1 failed"
    exit 1
  fi
fi

rm -f .test-reports/vitest.json .test-reports/playwright.json

# One production build serves the API contract tests (vitest) and the e2e suite (Playwright).
say "next build"
npx next build >.test-reports/next-build.log 2>&1
build_rc=$?
[ $build_rc -ne 0 ] && { tail -40 .test-reports/next-build.log >&2; say "next build failed"; }

say "vitest"
npx vitest run --reporter=default --reporter=json --outputFile.json=.test-reports/vitest.json
vitest_rc=$?

if [ $build_rc -ne 0 ]; then
  say "e2e suite not run: no build"
  pw_rc=1
else
  say "playwright"
  PLAYWRIGHT_JSON_OUTPUT_NAME=.test-reports/playwright.json npx playwright test --reporter=list,json
  pw_rc=$?
fi

node scripts/count-results.mjs .test-reports/vitest.json .test-reports/playwright.json $((build_rc != 0 ? 1 : 0))
count_rc=$?
if [ $vitest_rc -ne 0 ] || [ $pw_rc -ne 0 ] || [ $count_rc -ne 0 ]; then exit 1; fi
