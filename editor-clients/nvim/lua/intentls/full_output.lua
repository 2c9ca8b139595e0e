-- A run's full output (what the server keeps in <history dir>/output/<runId>.log, where the
-- output buffer and the history only have what was streamed or a tail): `:IntentOutput RUN
-- [STEP]`, `:IntentOutput!` for the folder's newest run, and "Show its full output" in
-- :IntentHistory. The whole run's file is opened read-only in a window below; one step's
-- output (or a file this machine cannot read: a server elsewhere) comes as text in a scratch
-- buffer.
local constants = require("intentls.constants")

local M = {}

--- How much text to ask for when the file is not opened (the server's upper limit).
M.MAX_TEXT = 16 * 1024 * 1024

---@param msg string
---@param level? integer
local function notify(msg, level)
  vim.notify("intentls: " .. msg, level or vim.log.levels.INFO, { title = "intentls" })
end

--- Opens `path` read-only in a window below.
---@param path string
local function open_file(path)
  vim.cmd("botright split " .. vim.fn.fnameescape(path))
  vim.bo.readonly = true
  vim.bo.modifiable = false
end

--- Shows an answer's text in a scratch buffer below, saying what was left out.
---@param answer table the server's FullOutput
local function open_text(answer)
  local lines = vim.split(answer.text or "", "\n", { plain = true })
  if lines[#lines] == "" then
    table.remove(lines)
  end
  if answer.cutBytes then
    table.insert(lines, 1, ("[the first %d bytes are not shown: %s]"):format(answer.cutBytes, answer.uri))
  end
  local buf = vim.api.nvim_create_buf(false, true)
  vim.bo[buf].bufhidden = "wipe"
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  pcall(vim.api.nvim_buf_set_name, buf, ("intentls://output/%s/%s"):format(answer.runId, answer.stepId or "all"))
  vim.cmd("botright split")
  vim.api.nvim_win_set_buf(0, buf)
end

--- Asks the server for a run's full output and shows it; fires User IntentlsFullOutput with
--- the answer once shown.
---@param run_id? string nil: the folder's newest run
---@param step? string a step's id or title
function M.show(run_id, step)
  local function ask(max_bytes, then_show)
    local args = { runId = run_id, stepId = step, maxBytes = max_bytes }
    require("intentls.run").send(constants.cmd.output, args, {
      on_result = then_show,
      on_error = function(err)
        notify(err.message or vim.inspect(err), vim.log.levels.WARN)
      end,
    })
  end
  local function shown(answer)
    vim.api.nvim_exec_autocmds("User", { pattern = "IntentlsFullOutput", modeline = false, data = answer })
  end
  if step then
    ask(M.MAX_TEXT, function(answer)
      open_text(answer)
      shown(answer)
    end)
    return
  end
  ask(0, function(answer)
    local path = vim.uri_to_fname(answer.uri)
    if vim.uv.fs_stat(path) then
      open_file(path)
      shown(answer)
    else -- the server keeps it on another machine
      run_id = answer.runId
      ask(M.MAX_TEXT, function(text)
        open_text(text)
        shown(text)
      end)
    end
  end)
end

--- `:IntentOutput` with arguments or a bang; `last` stands for the folder's newest run.
---@param opts {args: string, bang: boolean}
---@return boolean handled (false: plain `:IntentOutput`, the output buffer)
function M.command(opts)
  local words = vim.split(vim.trim(opts.args), "%s+", { trimempty = true })
  if #words == 0 and not opts.bang then
    return false
  end
  local run_id = words[1]
  M.show(run_id ~= "last" and run_id or nil, words[2])
  return true
end

return M
