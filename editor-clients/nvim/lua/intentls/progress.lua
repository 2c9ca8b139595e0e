-- Progress of runs, from the LspProgress autocmd: shown with vim.notify and summed up by
-- status() for statuslines.
local constants = require("intentls.constants")

local M = {}

---@class intentls.Progress
---@field title string
---@field message? string
---@field percentage? integer
---@field client_id integer

---@type table<string, intentls.Progress> progress in flight, by "client id:token"
local active = {}
---@type table<string, boolean> "client id:token" of the progresses whose end was shown
local ended = {}
---@type string|nil the last finished progress, for status()
local last = nil

--- Whether the end of a progress was shown (so a run's success needs no second message).
---@param client_id integer
---@param token string|integer|nil
---@return boolean
function M.was_shown(client_id, token)
  return token ~= nil and ended[client_id .. ":" .. tostring(token)] == true
end

---@param args table LspProgress autocmd arguments
local function on_progress(args)
  local data = args.data or {}
  local client = vim.lsp.get_client_by_id(data.client_id)
  if not client or client.name ~= constants.CLIENT_NAME then
    return
  end
  local params = data.params or {}
  local value = params.value
  if type(value) ~= "table" or params.token == nil then
    return
  end
  local token = data.client_id .. ":" .. tostring(params.token)
  local notify = require("intentls.config").get().notify_progress
  if value.kind == "begin" then
    active[token] = {
      title = value.title or "run",
      message = value.message,
      percentage = value.percentage,
      client_id = data.client_id,
    }
    if notify then
      vim.notify("intentls: ▶ " .. active[token].title, vim.log.levels.INFO, { title = "intentls" })
    end
  elseif value.kind == "report" then
    local p = active[token]
    if p then
      p.message = value.message or p.message
      p.percentage = value.percentage or p.percentage
    end
  elseif value.kind == "end" then
    local p = active[token]
    active[token] = nil
    ended[token] = true
    local title = p and p.title or "run"
    last = value.message and (title .. ": " .. value.message) or (title .. " done")
    if notify then
      vim.notify("intentls: " .. last, vim.log.levels.INFO, { title = "intentls" })
    end
  end
  pcall(vim.cmd.redrawstatus)
end

function M.setup()
  local group = vim.api.nvim_create_augroup("intentls.progress", { clear = true })
  vim.api.nvim_create_autocmd("LspProgress", { group = group, callback = on_progress })
end

--- A short line for statuslines: the running run(s) with their step and percentage, else the
--- last outcome, else "".
---@return string
function M.status()
  local parts = {}
  for _, p in pairs(active) do
    local s = "▶ " .. p.title
    if p.percentage then
      s = s .. (" %d%%"):format(p.percentage)
    end
    if p.message and p.message ~= "" then
      s = s .. " " .. p.message
    end
    table.insert(parts, s)
  end
  if #parts > 0 then
    table.sort(parts)
    return "intentls: " .. table.concat(parts, " | ")
  end
  local ok, run = pcall(require, "intentls.run")
  local result = ok and run.state.last_result or nil
  if result and result.status ~= "blocked" then
    return ("intentls: %s %s"):format(run.ICONS[result.status] or "", result.intent or "")
  end
  return last and ("intentls: " .. last) or ""
end

--- Progress in flight, by token (for tests and custom statuslines).
---@return table<string, intentls.Progress>
function M.active()
  return active
end

return M
