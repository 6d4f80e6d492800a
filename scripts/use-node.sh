# Sourced (not run) by scripts/dev.sh and .ci/run, from the repository root: makes `node`, and the
# npm and npx that run on it, the Node.js major in .node-version (24: the runtime action.yml
# declares), so that installing, linting, bundling and every test use the Node users get.
# When the machine's node is another major, Node 24 comes from the npm package
# node-linux-<arch>@24, installed once into .tmp/node/, whose bin/ then goes first on PATH
# (npm and npx start with `#!/usr/bin/env node`, so they run on it too). Needs some node and npm.

use_node() {
  local want have arch dir bin
  want=$(tr -d ' v\r\n' <.node-version)
  have=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || true)
  [ "$have" = "$want" ] && return 0

  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *)
      echo "No Node $want package for $(uname -m): install Node.js $want and run again." >&2
      return 1
      ;;
  esac
  dir="$PWD/.tmp/node"
  bin="$dir/node_modules/node-linux-$arch/bin"
  if [ "$("$bin/node" -p 'process.versions.node.split(".")[0]' 2>/dev/null || true)" != "$want" ]; then
    if ! command -v npm >/dev/null; then
      echo "Node $want is needed, and npm to fetch it: install Node.js (any version) and run again." >&2
      return 1
    fi
    echo "Node ${have:-(none)} here; installing Node $want (npm package node-linux-$arch@$want) into .tmp/node/"
    rm -rf "$dir"
    npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      --prefix "$dir" "node-linux-$arch@$want" >/dev/null
  fi
  export PATH="$bin:$PATH"
  hash -r
  echo "Using Node $(node --version) from $bin"
}

use_node
