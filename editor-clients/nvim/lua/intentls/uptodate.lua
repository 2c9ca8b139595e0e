-- Up-to-date steps (intents.toml upToDate / inputs / outputs): the server skipped them because
-- nothing they read changed since their last success, and replayed their output.
local M = {}

--- The notice for a finished run with steps skipped as up to date; nil when it has none.
---@param result table a RunResult
---@return string|nil
function M.describe(result)
  local titles = {}
  for _, step in ipairs(result.steps or {}) do
    if step.upToDate then
      table.insert(titles, step.title or step.id)
    end
  end
  if #titles == 0 then
    return nil
  end
  return ("%s: up to date, not run (its last output replayed): %s. :IntentForce %s runs it anyway"):format(
    result.intent or "run",
    table.concat(titles, ", "),
    result.intent or ""
  )
end

return M
