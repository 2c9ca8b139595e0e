-- Failure analysis in Neovim: the prediction before a run (a vim.notify warning when the intent
-- failed last time) and :IntentExplain (why a run failed, beside the intent's last success).
local constants = require("intentls.constants")

local M = {}

--- Below this predicted success the warning says the run will probably fail.
M.RISKY = 0.5

---@param msg string
---@param level? integer
local function notify(msg, level)
  vim.notify("intentls: " .. msg, level or vim.log.levels.INFO, { title = "intentls" })
end

--- The warning a plan carries for a run that failed last time, or nil.
---@param plan table a Plan
---@return string|nil
function M.warning(plan)
  for _, w in ipairs(type(plan) == "table" and plan.warnings or {}) do
    if w.kind == "pastFailure" then
      local chance = plan.predictedSuccess
      if chance and chance < M.RISKY then
        return ("%s — will probably fail (%d%% chance to succeed)"):format(w.message, math.floor(chance * 100 + 0.5))
      end
      return w.message
    end
  end
end

--- Asks the server what history predicts for a run, warns when it failed last time, then
--- calls `go` (the run is the person's to start: the warning never holds it back).
---@param client vim.lsp.Client
---@param args table the run's argument object
---@param go fun()
function M.foresee(client, args, go)
  if not require("intentls.server").supports(client, constants.cmd.plan) then
    go()
    return
  end
  local params = { command = constants.cmd.plan, arguments = { args } }
  local sent = client:request("workspace/executeCommand", params, function(err, plan)
    local warning = not err and M.warning(plan)
    if warning then
      notify(warning, vim.log.levels.WARN)
    end
    go()
  end)
  if not sent then
    go()
  end
end

--- The lines :IntentExplain shows for an Explanation.
---@param answer table
---@return string[]
function M.lines(answer)
  local lines = vim.split(answer.summary or "", "\n")
  local function section(title, items, fmt)
    require("intentls.report").section(lines, title, items, fmt)
  end
  local same = function(x)
    return x
  end
  section("Changed since the last success:", answer.changedFiles, same)
  section("Environment (names only):", answer.env, function(e)
    return e.name .. " " .. e.change
  end)
  section("New errors:", answer.newErrors, same)
  return lines
end

--- :IntentExplain [RUN]: why a run (default: the folder's newest failure) failed, in a scratch
--- buffer below.
---@param run_id? string
function M.explain(run_id)
  require("intentls.report").show({
    command = constants.cmd.explain,
    args = function(client)
      return { cwd = client.root_dir, runId = run_id }
    end,
    lines = M.lines,
    filetype = "intentls-explain",
    event = "IntentlsExplain",
    name = function(answer)
      return "intentls://explain/" .. tostring(answer.runId)
    end,
  })
end

return M
