#!/usr/bin/env bash
# Renders Neovim running an intent with the plugin into a PNG: Neovim in tmux, the screen
# captured with its colours, turned into HTML and photographed by headless Chromium.
# Called by scripts/test.sh (which sets NVIM, PATH and the XDG_* folders) when tmux and
# chromium exist:  scripts/screenshot.sh OUT.png
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$1"
: "${NVIM:?}" "${XDG_STATE_HOME:?}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/intentls-shot.XXXXXX")"
SOCK="$WORK/tmux.sock"
cleanup() { tmux -S "$SOCK" kill-server 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

WS="$WORK/project"
mkdir -p "$WS"
cat >"$WS/intents.toml" <<'TOML'
[intents.lint]
run = "echo 'lint: 12 files, no problems'"

[intents.test]
run = "printf 'test_parse ... ok\ntest_run ... ok\ntest_undo ... ok\n\n3 passed\n'"
TOML
WS="$(cd "$WS" && pwd -P)"
mkdir -p "$XDG_STATE_HOME/nvim/intentls"
printf '{"version":1,"folders":{"%s":true}}' "$WS" >"$XDG_STATE_HOME/nvim/intentls/trust.json"

cat >"$WORK/init.lua" <<LUA
vim.opt.rtp:prepend("$HERE")
vim.o.termguicolors = true
vim.o.swapfile = false
vim.o.laststatus = 2
vim.o.statusline = " %f %= %{v:lua.require'intentls'.status()} "
vim.cmd("filetype plugin indent on | syntax on")
require("intentls").setup({ output = { open = "always", split = "botright 10split" } })
vim.api.nvim_create_autocmd("User", {
  pattern = "IntentlsRunFinished",
  callback = function() vim.g.intentls_done = (vim.g.intentls_done or 0) + 1 end,
})
LUA

tmux -S "$SOCK" new-session -d -x 100 -y 28 -c "$WS" \
  "env TERM=xterm-256color COLORTERM=truecolor '$NVIM' -u '$WORK/init.lua' -i NONE intents.toml"
tmux -S "$SOCK" set -g default-terminal "xterm-256color" >/dev/null

# Wait for a condition on the screen, bounded (the shot is best effort).
wait_screen() {
  for _ in $(seq 1 200); do
    if tmux -S "$SOCK" capture-pane -p | grep -q -- "$1"; then return 0; fi
    # a short pause between polls of another process's screen
    sleep 0.1
  done
  echo "screenshot: timed out waiting for '$1' on the screen" >&2
  tmux -S "$SOCK" capture-pane -p >&2
  return 1
}

wait_screen "intents.toml"
tmux -S "$SOCK" send-keys ":lua vim.wait(15000, function() return #vim.lsp.get_clients({name='intentls'}) > 0 and vim.lsp.get_clients({name='intentls'})[1].initialized end)" Enter
tmux -S "$SOCK" send-keys ":Intent lint then test" Enter
wait_screen "3 passed"
wait_screen "intentls: ✓"
tmux -S "$SOCK" capture-pane -e -p >"$WORK/screen.ansi"
python3 "$HERE/scripts/ansi2html.py" <"$WORK/screen.ansi" >"$WORK/screen.html"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$WORK/chromium" --hide-scrollbars --window-size=880,520 \
  --screenshot="$OUT" "file://$WORK/screen.html" >/dev/null 2>&1
[ -s "$OUT" ] && echo "screenshot: $OUT"
