-- Options of intentls.nvim, with their defaults. `require("intentls").setup(opts)` merges
-- `opts` over these; read the result with `require("intentls.config").get()`.

---@class intentls.OutputConfig
---@field open "failure"|"always"|"never" When to show the output window after a run.
---@field split string Ex command that opens the window for the output buffer.

---@class intentls.KeymapConfig
---@field prefix string Prefix of the default mappings (`<prefix>i` runs `:Intent`, ...).

---@class intentls.Config
---@field cmd string[]|nil Command starting the server; nil: found as described below.
---@field python string|nil Python for the fallback `{python, "-m", "intentls", "serve"}`.
---@field ask_trust boolean Ask once per folder whether to trust it.
---@field root_markers string[] Files that mark a workspace root; the first one found wins.
---@field fallback_to_cwd boolean Buffers under the current directory without a marker use it.
---@field filetypes string[]|nil Filetypes to attach to; nil attaches to every buffer of a file.
---@field init_options table initializationOptions besides `trusted` (see PROTOCOL.md).
---@field settings table Sent as `settings.intentls` (workspace/didChangeConfiguration).
---@field codelens boolean Show the server's code lenses.
---@field checktime boolean Reload buffers (`:checktime`) after a run or undo changed files.
---@field notify_progress boolean Show each run's start and end with vim.notify.
---@field output intentls.OutputConfig
---@field keymaps boolean|intentls.KeymapConfig Default mappings; off unless set.
---@field history_limit integer How many runs `:IntentHistory` lists.

local M = {}

---@type intentls.Config
M.defaults = {
  -- Command that starts the server on stdio. nil: `{ "intentls", "serve" }` when `intentls`
  -- is executable, else `{ python, "-m", "intentls", "serve" }`.
  cmd = nil,
  -- Interpreter for the fallback above. nil: vim.g.python3_host_prog, else "python3".
  python = nil,
  -- Neovim has no workspace trust: ask once per folder with vim.ui.select and remember the
  -- answer under stdpath("state"). The server runs nothing in an untrusted folder.
  -- false: never ask, send no verdict (the server then uses a grant remembered earlier).
  ask_trust = true,
  -- A buffer's workspace root is the nearest folder holding the first marker found.
  root_markers = {
    "intents.toml",
    ".git",
    "Makefile",
    "package.json",
    "justfile",
    "Cargo.toml",
    "pyproject.toml",
    "go.mod",
  },
  -- A buffer under the current directory with no marker above it uses the current directory.
  fallback_to_cwd = true,
  -- nil: attach to every buffer of a file in a workspace (Makefile, package.json, tasks.json,
  -- intents.toml included: lenses and undo actions live there).
  filetypes = nil,
  -- Extra initializationOptions: maxParallel,
  -- undo = { enabled, maxFileBytes, exclude, maxStoreBytes },
  -- suggestions = { enabled }, retentionDays, historyPath. `trusted` is set by the plugin and
  -- `prompts` is never sent (Neovim would answer server prompts with a modal inputlist()).
  init_options = {},
  -- The same keys as workspace configuration (section "intentls"); they win over init_options.
  settings = {},
  -- Code lenses ("▶ Run test") on Makefile, package.json, intents.toml, ...
  codelens = true,
  -- `:checktime` after a run whose changedFiles is not empty, and after undo/redo.
  checktime = true,
  -- vim.notify when a run starts and ends (from the LspProgress autocmd).
  notify_progress = true,
  output = {
    -- Show the output window after a run: "failure", "always" or "never".
    open = "failure",
    split = "botright 12split",
  },
  -- Default mappings, off by default. true, or { prefix = "<leader>i" }:
  --   <prefix>i :Intent  <prefix>l :IntentLast  <prefix>u :IntentUndo  <prefix>r :IntentRedo
  --   <prefix>h :IntentHistory  <prefix>c :IntentCancel  <prefix>o :IntentOutput
  keymaps = false,
  -- How many runs :IntentHistory lists.
  history_limit = 50,
}

---@type intentls.Config
local current = vim.deepcopy(M.defaults)

---@param opts? table
---@return intentls.Config
function M.set(opts)
  vim.validate("opts", opts, "table", true)
  opts = opts or {}
  current = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts)
  -- Lists replace the default instead of being merged index by index.
  for _, key in ipairs({ "cmd", "root_markers", "filetypes" }) do
    if opts[key] ~= nil then
      current[key] = vim.deepcopy(opts[key])
    end
  end
  if current.keymaps == true then
    current.keymaps = { prefix = "<leader>i" }
  end
  return current
end

---@return intentls.Config
function M.get()
  return current
end

return M
