#!/usr/bin/env bash
# Makes sure the programs the test suite runs are installed, before `npm test`
# (npm's `pretest`) and in CI (.ci/run):
#   redis-server    tests start their own servers on free ports
#   chromium        the dashboard test drives Debian's headless Chromium
#   docker-compose  test/deploy/compose.test.ts validates docker-compose.yml
# Missing ones are installed from Debian's packages when this runs as root
# with apt-get; otherwise it stops (exit 1) with the exact command to run.
#
# TLBSIM_TEST_SKIP=chromium,docker-compose opts out of the tests that need
# those programs (they are reported as skipped in the jest summary); only
# chromium and docker-compose can be skipped: most suites need redis-server.
set -euo pipefail

skippable=(chromium docker-compose)
IFS=',' read -r -a skip <<< "${TLBSIM_TEST_SKIP:-}"
for s in "${skip[@]}"; do
  s="${s// /}"
  [ -z "$s" ] && continue
  case " ${skippable[*]} " in
    *" $s "*) ;;
    *) echo "ensure-tools: TLBSIM_TEST_SKIP: unknown tool '$s' (allowed: $(IFS=,; echo "${skippable[*]}"))" >&2; exit 2 ;;
  esac
done
skipped() { case ",${TLBSIM_TEST_SKIP:-}," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

# The Debian package that provides each program.
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if ! skipped chromium && [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then missing+=(chromium); fi
if ! skipped docker-compose && ! command -v docker-compose >/dev/null 2>&1; then missing+=(docker-compose); fi
[ "${#missing[@]}" -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-tools: installing ${missing[*]} (Debian packages)" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Other apt users on the machine hold the lock for a while: wait for it.
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi

{
  echo "ensure-tools: missing ${missing[*]}; the tests need them. Install them with:"
  echo "  sudo apt-get update && sudo $cmd"
  echo "or opt out of the tests that need chromium or docker-compose with TLBSIM_TEST_SKIP=chromium,docker-compose"
} >&2
exit 1
