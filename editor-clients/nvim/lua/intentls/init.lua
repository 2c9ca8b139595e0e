-- intentls.nvim: run command intents through the intentls language server.
-- Thin on purpose: every function requires its module when it is called.
local M = {}

local did_setup = false

--- Configures the plugin and starts attaching the server to workspace buffers.
---@param opts? intentls.Config|table see :help intentls-config
function M.setup(opts)
  local cfg = require("intentls.config").set(opts)
  did_setup = true
  require("intentls.commands").register()
  require("intentls.run").register_lsp_commands()
  require("intentls.progress").setup()
  local group = vim.api.nvim_create_augroup("intentls.setup", { clear = true })
  if cfg.codelens then
    vim.api.nvim_create_autocmd("LspAttach", {
      group = group,
      callback = function(args)
        local client = vim.lsp.get_client_by_id(args.data.client_id)
        if client and client.name == require("intentls.constants").CLIENT_NAME then
          require("intentls.codelens").attach(args.buf)
        end
      end,
    })
  end
  if type(cfg.keymaps) == "table" then
    require("intentls.commands").set_keymaps(cfg.keymaps.prefix or "<leader>i")
  end
  require("intentls.server").enable(cfg)
end

local function ensure_setup()
  if not did_setup then
    M.setup()
  end
end

--- Runs intent text; without text, picks from the folder's intents (or free text).
---@param text? string
---@param opts? {background?: boolean}
function M.run(text, opts)
  ensure_setup()
  if text and text:match("%S") then
    require("intentls.run").run_intent(text, opts)
  else
    require("intentls.run").pick(opts)
  end
end

--- Runs the last intent again.
function M.last()
  ensure_setup()
  require("intentls.run").run_last()
end

--- Shows the plan of intent text, without running it.
---@param text string
function M.plan(text)
  ensure_setup()
  require("intentls.run").send(require("intentls.constants").cmd.plan, { intent = text })
end

--- Undoes the newest run that changed files, or the run `run_id`.
---@param run_id? string
function M.undo(run_id)
  ensure_setup()
  require("intentls.run").send(require("intentls.constants").cmd.undo, { runId = run_id })
end

--- Re-applies the most recently undone run.
function M.redo()
  ensure_setup()
  require("intentls.run").send(require("intentls.constants").cmd.redo, {})
end

--- Lists the folder's runs to act on.
function M.history()
  ensure_setup()
  require("intentls.history").show()
end

--- Cancels the newest running run.
function M.cancel()
  ensure_setup()
  require("intentls.run").cancel()
end

--- Creates a checkpoint.
---@param name? string
function M.checkpoint(name)
  ensure_setup()
  require("intentls.run").send(require("intentls.constants").cmd.checkpoint, { name = name })
end

--- Picks one of the folder's checkpoints and, once confirmed, rolls the folder back to it.
--- Conflicts (such as unsaved buffers) are shown with an offer to roll back anyway.
function M.rollback()
  ensure_setup()
  require("intentls.rollback").pick()
end

--- Shows or hides the output window.
function M.output()
  require("intentls.output").toggle()
end

--- Changes the trust of the current workspace folder: "on", "off" or "forget".
---@param verdict "on"|"off"|"forget"
function M.trust(verdict)
  ensure_setup()
  local server = require("intentls.server")
  local client = server.get_client()
  local root = client and client.root_dir or server.find_root(0) or server.cwd_root()
  local trust = require("intentls.trust")
  if verdict == "forget" then
    trust.forget(root)
    vim.notify("intentls: forgot the trust of " .. root .. "; you will be asked again")
  elseif verdict == "on" or verdict == "off" then
    trust.set(root, verdict == "on")
    vim.notify(("intentls: %s %s"):format(verdict == "on" and "trusted" or "not trusted", root))
  else
    vim.notify("intentls: :IntentTrust takes on, off or forget", vim.log.levels.ERROR)
  end
end

--- Restarts the server(s).
function M.restart()
  ensure_setup()
  require("intentls.server").restart()
end

--- A short text for statuslines: the running run and its step, else the last outcome.
---@return string
function M.status()
  return require("intentls.progress").status()
end

return M
