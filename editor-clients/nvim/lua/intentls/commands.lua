-- User commands and the opt-in default keymaps, declared in one table. Loading this module
-- costs nothing: every command requires what it needs when it runs.
local M = {}

---@class intentls.Command
---@field name string
---@field desc string
---@field key? string the key after the keymap prefix
---@field nargs? string|integer
---@field bang? boolean
---@field complete? string|fun(arglead: string, cmdline: string, pos: integer): string[]
---@field run fun(opts: table)

---@type intentls.Command[]
M.commands = {
  {
    name = "Intent",
    desc = "Run an intent (`:Intent test`, `:Intent $ pytest -x`); no text: pick one. ! runs it in the background",
    key = "i",
    nargs = "*",
    bang = true,
    complete = function(arglead, cmdline)
      return require("intentls.run").complete(arglead, cmdline)
    end,
    run = function(opts)
      require("intentls").run(opts.args ~= "" and opts.args or nil, { background = opts.bang })
    end,
  },
  {
    name = "IntentForce",
    desc = "Run an intent even when its steps are up to date (intents.toml upToDate / inputs)",
    nargs = "+",
    complete = function(arglead, cmdline)
      return require("intentls.run").complete(arglead, cmdline)
    end,
    run = function(opts)
      require("intentls").run(opts.args, { force = true })
    end,
  },
  {
    name = "IntentInstall",
    desc = "Install or update the server in the plugin's own environment (what lazy.nvim's build does)",
    run = function()
      local ok, err = pcall(require("intentls.install").build)
      if not ok then
        vim.notify(tostring(err), vim.log.levels.ERROR)
      end
    end,
  },
  {
    name = "IntentLast",
    desc = "Run the last intent again",
    key = "l",
    run = function()
      require("intentls").last()
    end,
  },
  {
    name = "IntentPlan",
    desc = "Show what an intent would do, without running it",
    nargs = "+",
    complete = function(arglead, cmdline)
      return require("intentls.run").complete(arglead, cmdline)
    end,
    run = function(opts)
      require("intentls").plan(opts.args)
    end,
  },
  {
    name = "IntentUndo",
    desc = "Undo the newest run that changed files (or the run with the given id)",
    key = "u",
    nargs = "?",
    run = function(opts)
      require("intentls").undo(opts.args ~= "" and opts.args or nil)
    end,
  },
  {
    name = "IntentRedo",
    desc = "Re-apply the most recently undone run",
    key = "r",
    run = function()
      require("intentls").redo()
    end,
  },
  {
    name = "IntentHistory",
    desc = "List the folder's runs; pick one to run it again, undo or redo it",
    key = "h",
    run = function()
      require("intentls").history()
    end,
  },
  {
    name = "IntentSuggest",
    desc = "What to run next here (learned from your runs): pick one to run it",
    key = "s",
    run = function()
      require("intentls.suggest").pick()
    end,
  },
  {
    name = "IntentExplain",
    desc = "Why did it fail? The folder's newest failed run (or the run with the given id) beside its last success",
    nargs = "?",
    run = function(opts)
      require("intentls.failures").explain(opts.args ~= "" and opts.args or nil)
    end,
  },
  {
    name = "IntentStats",
    desc = "How the folder's runs went: success, durations, slowest steps, failures (`all`: every folder)",
    nargs = "?",
    run = function(opts)
      require("intentls.stats").show(opts.args == "all")
    end,
  },
  {
    name = "IntentCancel",
    desc = "Cancel the newest running run",
    key = "c",
    run = function()
      require("intentls").cancel()
    end,
  },
  {
    name = "IntentCheckpoint",
    desc = "Create a checkpoint to roll back to",
    nargs = "?",
    run = function(opts)
      require("intentls").checkpoint(opts.args ~= "" and opts.args or nil)
    end,
  },
  {
    name = "IntentRollback",
    desc = "Roll the folder back to one of its checkpoints (pick one, then confirm)",
    run = function()
      require("intentls").rollback()
    end,
  },
  {
    name = "IntentOutput",
    desc = "Show or hide the output of runs; `:IntentOutput RUN [STEP]` (RUN may be `last`), "
      .. "`:IntentOutput!`: a run's full output",
    key = "o",
    nargs = "*",
    bang = true,
    complete = function()
      return { "last" }
    end,
    run = function(opts)
      if not require("intentls.full_output").command(opts) then
        require("intentls").output()
      end
    end,
  },
  {
    name = "IntentTrust",
    desc = "Trust this folder (`:IntentTrust off` to distrust, `:IntentTrust forget` to be asked again)",
    nargs = "?",
    complete = function()
      return { "on", "off", "forget" }
    end,
    run = function(opts)
      require("intentls").trust(opts.args ~= "" and opts.args or "on")
    end,
  },
  {
    name = "IntentRestart",
    desc = "Restart the intentls server",
    run = function()
      require("intentls").restart()
    end,
  },
}

--- Creates the user commands (again: the definitions are replaced).
function M.register()
  for _, c in ipairs(M.commands) do
    vim.api.nvim_create_user_command(c.name, c.run, {
      desc = c.desc,
      nargs = c.nargs or 0,
      bang = c.bang or false,
      complete = c.complete,
    })
  end
end

--- Maps <prefix><key> in normal mode to each command that has a key.
---@param prefix string
function M.set_keymaps(prefix)
  for _, c in ipairs(M.commands) do
    if c.key then
      vim.keymap.set("n", prefix .. c.key, "<Cmd>" .. c.name .. "<CR>", { desc = "intentls: " .. c.desc })
    end
  end
end

return M
