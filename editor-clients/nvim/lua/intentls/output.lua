-- The output of runs (intentls/output notifications) in one scratch buffer, intentls://output.
local M = {}

local BUF_NAME = "intentls://output"

---@type integer|nil
local bufnr = nil
---@type string|nil key (run, step, stream) of the chunk whose last line is still open
local open_line = nil
---@type string|nil key (run, step) of the last chunk, to head a new step's output
local last_step = nil

---@return integer
function M.buf()
  if bufnr and vim.api.nvim_buf_is_valid(bufnr) then
    return bufnr
  end
  bufnr = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_name(bufnr, BUF_NAME)
  vim.bo[bufnr].bufhidden = "hide"
  vim.bo[bufnr].swapfile = false
  vim.bo[bufnr].modifiable = false
  vim.bo[bufnr].filetype = "intentls-output"
  open_line, last_step = nil, nil
  return bufnr
end

---@param b integer
local function scroll(b)
  for _, win in ipairs(vim.fn.win_findbuf(b)) do
    vim.api.nvim_win_set_cursor(win, { vim.api.nvim_buf_line_count(b), 0 })
  end
end

--- Appends lines; `join_first` glues the first one to the buffer's last line.
---@param lines string[]
---@param join_first? boolean
local function put(lines, join_first)
  local b = M.buf()
  vim.bo[b].modifiable = true
  local n = vim.api.nvim_buf_line_count(b)
  local empty = n == 1 and vim.api.nvim_buf_get_lines(b, 0, 1, false)[1] == ""
  if join_first and #lines > 0 and not empty then
    local lastline = vim.api.nvim_buf_get_lines(b, n - 1, n, false)[1] or ""
    vim.api.nvim_buf_set_lines(b, n - 1, n, false, { lastline .. lines[1] })
    lines = vim.list_slice(lines, 2)
  end
  if #lines > 0 then
    if empty then
      vim.api.nvim_buf_set_lines(b, 0, 1, false, lines)
    else
      vim.api.nvim_buf_set_lines(b, n, n, false, lines)
    end
  end
  vim.bo[b].modifiable = false
  scroll(b)
end

--- A header when a run starts (intentls/runStarted).
---@param params {runId: string, intent?: string}
function M.start_run(params)
  open_line, last_step = nil, nil
  put({ ("▶ %s  [run %s]"):format(params.intent or "?", tostring(params.runId)) })
end

--- Appends an intentls/output notification {runId, stepId, stream, text}.
---@param params {runId: string, stepId?: string, stream?: string, text?: string}
function M.append(params)
  local text = params.text
  if type(text) ~= "string" or text == "" then
    return
  end
  text = text:gsub("\r\n", "\n")
  local step = tostring(params.runId) .. "/" .. tostring(params.stepId)
  local key = step .. "/" .. tostring(params.stream)
  if last_step and last_step ~= step then
    open_line = nil
    put({ ("── %s"):format(tostring(params.stepId)) })
  end
  last_step = step
  local lines = vim.split(text, "\n", { plain = true })
  local finished = lines[#lines] == ""
  if finished then
    table.remove(lines)
  end
  put(lines, open_line == key)
  open_line = (not finished) and key or nil
end

--- A closing line when a run ends.
---@param result table RunResult
function M.finish_run(result)
  if not result.runId then
    return
  end
  open_line, last_step = nil, nil
  local icons = require("intentls.run").ICONS
  put({
    ("%s %s %s in %s"):format(
      icons[result.status] or "",
      result.intent or "run",
      result.status or "?",
      require("intentls.run").format_duration(result.durationMs)
    ),
    "",
  })
end

--- The buffer's lines (for tests).
---@return string[]
function M.lines()
  return vim.api.nvim_buf_get_lines(M.buf(), 0, -1, false)
end

--- Shows the output buffer in a window (opening one if none shows it).
function M.show()
  local b = M.buf()
  local wins = vim.fn.win_findbuf(b)
  if #wins > 0 then
    scroll(b)
    return
  end
  local cur = vim.api.nvim_get_current_win()
  vim.cmd(require("intentls.config").get().output.split)
  vim.api.nvim_win_set_buf(0, b)
  scroll(b)
  vim.api.nvim_set_current_win(cur)
end

--- Shows or hides the output window.
function M.toggle()
  local wins = vim.fn.win_findbuf(M.buf())
  if #wins > 0 then
    for _, w in ipairs(wins) do
      if #vim.api.nvim_list_wins() > 1 then
        vim.api.nvim_win_close(w, false)
      end
    end
  else
    M.show()
  end
end

return M
