#!/usr/bin/env bash
# Makes sure the programs the test suite runs are installed, before `npm test`
# (npm's `pretest`) and in CI (.ci/run):
#   redis-server    tests start their own servers on free ports
#   chromium        the dashboard test drives Debian's headless Chromium
#   docker-compose  test/deploy/compose.test.ts validates docker-compose.yml
# Missing ones are installed from Debian's packages when this runs as root
# with apt-get; otherwise it stops (exit 1) with the exact command to run.
set -euo pipefail

# The Debian package that provides each program.
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then missing+=(chromium); fi
if ! command -v docker-compose >/dev/null 2>&1; then missing+=(docker-compose); fi
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
} >&2
exit 1
