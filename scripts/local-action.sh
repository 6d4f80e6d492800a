#!/usr/bin/env bash
# Runs the action's main logic (src/main.ts, TypeScript, not the bundle) on this machine with
# @github/local-action, which stubs @actions/core and reads inputs from a dotenv file. It is not a
# dependency of this project (it would bring half the lock file for this one script): npx fetches
# the pinned version below on first use. scripts/dev.sh local is the usual way to run the action.
#
#   cp .env.example .env          # then edit it
#   scripts/local-action.sh       # or: scripts/local-action.sh path/to/other.env
#
# local-action calls the `run()` that src/main.ts exports. The post step (src/post-entry.ts:
# logout, restore, clean-up) is not run here, so this script removes the temporary directory
# itself afterwards.
# For the whole action, offline, against local stand-ins: scripts/dev.sh local.
set -euo pipefail
cd "$(dirname "$0")/.."
LOCAL_ACTION_VERSION=7.0.1

env_file="${1:-.env}"
if [ ! -f "$env_file" ]; then
  echo "No $env_file: copy .env.example to .env and edit it." >&2
  exit 2
fi
# shellcheck source=scripts/use-node.sh
. scripts/use-node.sh
if [ ! -d node_modules/@actions/core ]; then
  echo "Installing dependencies (npm ci)..." >&2
  npm ci --no-audit --no-fund
fi

work="$PWD/.tmp/local-action"
mkdir -p "$work/temp" "$work/tool-cache" "$work/workspace"
export RUNNER_TEMP="${RUNNER_TEMP:-$work/temp}"
export RUNNER_TOOL_CACHE="${RUNNER_TOOL_CACHE:-$work/tool-cache}"
export GITHUB_WORKSPACE="${GITHUB_WORKSPACE:-$work/workspace}"
trap 'rm -rf "$work/temp"' EXIT

npx --yes "@github/local-action@$LOCAL_ACTION_VERSION" run . src/main.ts "$env_file"
