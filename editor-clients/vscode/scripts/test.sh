#!/usr/bin/env bash
# End-to-end test of the VS Code extension in real VS Code (code-server 4.100.3, headless
# Chromium via playwright-core), offline. Installs what it needs on a Debian machine with
# node 20 and npm: apt packages, npm ci, code-server into .cache/. Exits non-zero on failure.
#
# INTENTLS_SERVER  the server to test (default: $REPO/.venv/bin/intentls)
# UPDATE_SCREENSHOT=1  also write docs/images/vscode-run.png (written anyway when missing)
# VSIX             test this package (`make dist`'s, with the server's wheels) instead of
#                  packaging one without them
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO="$(git -C "$HERE" rev-parse --show-toplevel)"
CACHE="$HERE/.cache"
ARTIFACTS="$CACHE/artifacts"
CODE_SERVER_VERSION=4.100.3
# @vscode/ripgrep as pinned by code-server 4.100.3, and the ripgrep release its postinstall
# would download from GitHub (lib/postinstall.js: VERSION).
RIPGREP_PKG_VERSION=1.15.11
RIPGREP_RELEASE=v13.0.0-10
export INTENTLS_SERVER="${INTENTLS_SERVER:-$REPO/.venv/bin/intentls}"
start=$(date +%s)

step() { printf '== %s (%ss)\n' "$*" "$(( $(date +%s) - start ))"; }
fail() { echo "vscode: FAILED: $*" >&2; exit 1; }

[ -x "$INTENTLS_SERVER" ] || fail "no intentls server at $INTENTLS_SERVER (set INTENTLS_SERVER, or create $REPO/.venv)"
node -e 'process.exit(+process.versions.node.split(".")[0] === 20 ? 0 : 1)' \
  || fail "code-server $CODE_SERVER_VERSION needs Node 20; this is $(node --version)"

step "system packages"
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v rg >/dev/null || missing+=(ripgrep)
command -v pkg-config >/dev/null || missing+=(pkg-config)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
# A real Python older than the server needs (Debian's PyPy is Python 3.9/3.10): the test of
# the one-step install's "too old" message.
command -v pypy3 >/dev/null || missing+=(pypy3)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cd "$HERE"
step "npm ci"
stamp="$CACHE/npm-ci.stamp"
mkdir -p "$CACHE"
if [ ! -d node_modules ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

step "typecheck"
npx --no-install tsc --noEmit -p .
if [ -n "${VSIX:-}" ]; then
  step "the vsix under test: $VSIX"
else
  step "build and package"
  VSIX="$HERE/intentls.vsix"
  bash scripts/package.sh "$VSIX" >/dev/null || fail "packaging failed"
fi
[ -f "$VSIX" ] || fail "no vsix at $VSIX"

step "code-server $CODE_SERVER_VERSION"
CS_DIR="$CACHE/code-server"
CODE_SERVER="$CS_DIR/node_modules/.bin/code-server"
if [ ! -x "$CODE_SERVER" ] || [ "$(cat "$CS_DIR/version" 2>/dev/null)" != "$CODE_SERVER_VERSION" ]; then
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR" "$CACHE/tmp"
  # @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache has the asset:
  # a tarball named ripgrep-<release>-<target>.tar.gz with `rg` at the top. Seed it with
  # Debian's ripgrep.
  case "$(uname -m)" in
    x86_64) target=x86_64-unknown-linux-musl ;;
    aarch64) target=aarch64-unknown-linux-musl ;;
    *) fail "no ripgrep target for $(uname -m)" ;;
  esac
  rgcache="$CACHE/tmp/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
  mkdir -p "$rgcache"
  rgdir="$(mktemp -d)"
  cp "$(command -v rg)" "$rgdir/rg"
  tar czf "$rgcache/ripgrep-$RIPGREP_RELEASE-$target.tar.gz" -C "$rgdir" rg
  rm -rf "$rgdir"
  echo '{"name":"intentls-vscode-test-tools","private":true}' > "$CS_DIR/package.json"
  # code-server's postinstall refuses root without unsafe-perm and runs nested npm installs
  # whose native modules (node-pty, kerberos) need their install scripts; npm >= 11.10 skips
  # dependencies' install scripts unless allowed.
  (cd "$CS_DIR" && TMPDIR="$CACHE/tmp" npm_config_unsafe_perm=true npm_config_yes=true \
     npm_config_dangerously_allow_all_scripts=true \
     npm install --no-save --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >/dev/null)
  [ -x "$CODE_SERVER" ] || fail "code-server did not install"
  echo "$CODE_SERVER_VERSION" > "$CS_DIR/version"
fi

step "test in code-server"
docs_image="$REPO/docs/images/vscode-run.png"
if [ -f "$docs_image" ] && [ "${UPDATE_SCREENSHOT:-}" != 1 ]; then docs_image=""; fi
rm -rf "$ARTIFACTS"
set +e
CODE_SERVER="$CODE_SERVER" VSIX="$VSIX" ARTIFACTS="$ARTIFACTS" DOCS_IMAGE="$docs_image" \
  node --test --test-concurrency=1 --test-reporter=spec test/vscode.test.mjs
rc=$?
set -e
step "done"
if [ $rc -ne 0 ]; then
  echo "vscode: FAILED (exit $rc); screenshots and the code-server log are in $ARTIFACTS" >&2
fi
exit $rc
