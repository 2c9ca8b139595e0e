-- :IntentHistory: the folder's runs, newest first, each with what can be done to it.
local constants = require("intentls.constants")

local M = {}

--- An ISO 8601 time from the server (UTC, or with an offset) as the person's local time.
---@param iso string
---@return string "YYYY-MM-DD HH:MM:SS", or the text as it came when it is not ISO 8601
function M.local_time(iso)
  local y, mo, d, h, mi, sec, zone = iso:match("^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)[.%d]*(.*)$")
  if not y then
    return iso
  end
  local offset = 0
  local sign, oh, om = zone:match("^([+-])(%d%d):?(%d%d)$")
  if sign then
    offset = (tonumber(oh) * 3600 + tonumber(om) * 60) * (sign == "-" and -1 or 1)
  end
  -- os.time reads a table as local time; the difference to the same table read as UTC is the
  -- local offset at that moment.
  local fields = { year = y, month = mo, day = d, hour = h, min = mi, sec = sec, isdst = false }
  local as_local = os.time(fields)
  local utc_of_as_local = os.time(os.date("!*t", as_local) --[[@as osdateparam]])
  local epoch = as_local + (as_local - utc_of_as_local) - offset
  return os.date("%Y-%m-%d %H:%M:%S", epoch) --[[@as string]]
end

---@param s RunSummary|table
---@return string
function M.format(s)
  local run = require("intentls.run")
  local when = type(s.startedAt) == "string" and M.local_time(s.startedAt) or ""
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
  if s.status ~= "blocked" then
    table.insert(items, {
      label = "Show its full output",
      run = function()
        require("intentls.full_output").show(s.runId)
      end,
    })
  end
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
