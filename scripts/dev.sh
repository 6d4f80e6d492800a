#!/usr/bin/env bash
# The newcomer's entry point, also used by CI.
#   scripts/dev.sh local   run the action's main and post steps locally, offline, against local stand-ins
#   scripts/dev.sh test    run the whole test suite (unit, end-to-end, docs, then reliability);
#                          with arguments, only vitest on those paths
#   scripts/dev.sh setup   only install what those need
# Everything runs on Node 24 (.node-version): with another Node on the machine, scripts/use-node.sh
# fetches Node 24 into .tmp/node/ first.
# Needs root (or sudo) once, to install Debian's docker.io, docker-registry and apache2-utils and to
# start an isolated dockerd; it never touches a system Docker daemon.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/use-node.sh
. scripts/use-node.sh

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

setup_debian_packages() {
  local missing=()
  [ -x /usr/sbin/dockerd ] || missing+=(docker.io)
  command -v docker-registry >/dev/null || missing+=(docker-registry)
  command -v htpasswd >/dev/null || missing+=(apache2-utils)
  command -v git >/dev/null || missing+=(git)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

setup_node_modules() {
  # npm ci only when the lock file changed since the last install.
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
}

setup() {
  setup_debian_packages
  setup_node_modules
}

case "${1:-}" in
  setup) setup ;;
  local) setup; shift; exec npx tsx scripts/local.ts "$@" ;;
  test)
    setup
    shift
    if [ $# -gt 0 ]; then exec npx vitest run "$@"; fi
    npx vitest run
    npm run test:reliability
    ;;
  *)
    echo "usage: scripts/dev.sh local|test|setup" >&2
    exit 2
    ;;
esac
