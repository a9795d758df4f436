#!/usr/bin/env bash
# npm test: build, start the test services, run mocha, then stop the services
# that this run started (those already running are left as they were).
#
#   npm test                          every spec under test/unit and test/integration
#   npm test -- test/unit             arguments go to mocha
#   KEEP_SERVICES=1 npm test          leave the services running afterwards
#   SKIP_BUILD=1 npm test             skip `npm run build`
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SERVICES=(nats postgres kafka sftp)

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  echo "== npm run build"
  npm run build
fi

# the services that are up already are kept; the others are this run's to stop
started=()
for s in "${SERVICES[@]}"; do
  scripts/services.sh status "$s" >/dev/null 2>&1 || started+=("$s")
done

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ ${#started[@]} -gt 0 ]]; then
    if [[ ${KEEP_SERVICES:-0} == 1 ]]; then
      echo "== KEEP_SERVICES=1: leaving ${started[*]} running (scripts/services.sh down)"
    else
      echo "== stopping the services this run started: ${started[*]}"
      scripts/services.sh down "${started[@]}" >/dev/null || echo "!! scripts/services.sh down ${started[*]} failed" >&2
    fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== scripts/services.sh up"
scripts/services.sh up
# shellcheck source=/dev/null
source var/services/env.sh

kept=()
for s in "${SERVICES[@]}"; do [[ " ${started[*]} " == *" $s "* ]] || kept+=("$s"); done
# hide a password in an external DATABASE_URL
db_shown=$(printf '%s' "$TEST_DATABASE_URL" | sed -E 's#(://[^:/@]+:)[^@]*@#\1***@#')
echo "== test services: NATS $TEST_NATS_URL | PostgreSQL $db_shown | Kafka $TEST_KAFKA_BROKERS |" \
  "SFTP $TEST_SFTP_USER@$TEST_SFTP_HOST:$TEST_SFTP_PORT:$TEST_SFTP_ROOT" \
  "(started now: ${started[*]:-none}; already running: ${kept[*]:-none})"

# no spec path among the arguments (none, or only options such as --grep):
# every unit, integration and security spec; folders are searched recursively (npm test -- test/unit)
has_spec=0
for a in "$@"; do
  case $a in -*) ;; */* | *.ts | *.js) has_spec=1 ;; esac
done
if [[ $has_spec == 0 ]]; then
  set -- "$@" 'test/unit/**/*.spec.ts' 'test/integration/**/*.spec.ts' 'test/security/*.spec.ts'
fi
echo "== mocha --recursive $*"
npx mocha --recursive "$@"
