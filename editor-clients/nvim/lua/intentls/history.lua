-- :IntentHistory: the folder's runs, newest first, each with what can be done to it.
local constants = require("intentls.constants")

local M = {}

---@param s RunSummary|table
---@return string
function M.format(s)
  local run = require("intentls.run")
  local when = type(s.startedAt) == "string" and s.startedAt:sub(1, 19):gsub("T", " ") or ""
  local flags = ""
  if s.undone then
    flags = " [undone]"
  elseif s.undoable then
    flags = " [undoable]"
  end
  return ("%s %s  %s  %s%s"):format(
    run.ICONS[s.status] or "?",
    when,
    s.intent or "?",
    run.format_duration(s.durationMs),
    flags
  )
end

--- The actions offered for one run of the history.
---@param s table RunSummary
---@return {label: string, run: fun()}[]
function M.actions(s)
  local run = require("intentls.run")
  local items = {
    {
      label = "Run again: " .. (s.intent or "?"),
      run = function()
        run.run_intent(s.intent)
      end,
    },
  }
  if s.undoable and not s.undone then
    table.insert(items, {
      label = "Undo this run",
      run = function()
        run.send(constants.cmd.undo, { runId = s.runId })
      end,
    })
  end
  if s.undone then
    table.insert(items, {
      label = "Redo this run",
      run = function()
        run.send(constants.cmd.redo, { runId = s.runId })
      end,
    })
  end
  return items
end

--- Lists the history with vim.ui.select, then the actions of the chosen run.
function M.show()
  local cfg = require("intentls.config").get()
  require("intentls.run").send(constants.cmd.history, { limit = cfg.history_limit }, {
    on_result = function(list)
      if type(list) ~= "table" or #list == 0 then
        vim.notify("intentls: no runs in this folder yet", vim.log.levels.INFO)
        return
      end
      vim.ui.select(list, {
        prompt = "intentls: history",
        format_item = M.format,
        kind = "intentls.history",
      }, function(s)
        if not s then
          return
        end
        vim.ui.select(M.actions(s), {
          prompt = M.format(s),
          format_item = function(a)
            return a.label
          end,
          kind = "intentls.history_action",
        }, function(a)
          if a then
            a.run()
          end
        end)
      end)
    end,
  })
end

return M
