-- :IntentStats [all]: how the folder's runs went (intentls.stats), in a scratch buffer below.
local constants = require("intentls.constants")

local M = {}

---@param ms integer
local function seconds(ms)
  if ms < 60000 then
    return ("%.1f s"):format(ms / 1000)
  end
  return ("%.1f min"):format(ms / 60000)
end

---@param rate number
local function percent(rate)
  return ("%d %%"):format(math.floor(rate * 100 + 0.5))
end

--- The lines :IntentStats shows for a Stats answer.
---@param s table
---@return string[]
function M.lines(s)
  if (s.runs or 0) == 0 then
    return { "No finished runs yet." }
  end
  local d = s.durationMs
  local lines = {
    ("%d runs · %s succeeded · p50 %s · p95 %s · p99 %s (±%d %%)"):format(
      s.runs, percent(s.successRate), seconds(d.p50), seconds(d.p95), seconds(d.p99),
      math.floor((s.durationError or 0) * 100 + 0.5)),
    ("undone %d of %d undoable · retries %d, recovered %d"):format(
      s.undo.undone, s.undo.undoable, s.retries.retries, s.retries.recovered),
  }
  local function section(title, items, fmt)
    require("intentls.report").section(lines, title, items, fmt)
  end
  section("By intent:", s.byIntent, function(i)
    return ("%-24s %5d runs  %s  p50 %s"):format(i.intent, i.runs, percent(i.successRate), seconds(i.p50Ms))
  end)
  section("Slowest steps:", s.slowestSteps, function(i)
    return ("%-32s p50 %s  p95 %s"):format(i.intent .. ": " .. i.title, seconds(i.p50Ms), seconds(i.p95Ms))
  end)
  section("Top failures:", s.topFailures, function(f)
    return ("%-16s %4d  %s"):format(f.category, f.count, f.example)
  end)
  section("This week against the four before:", s.trends, function(t)
    local flags = (t.slower and " slower" or "") .. (t.failingMore and " failing more" or "")
    local now, before = seconds(t.thisWeek.p50Ms), seconds(t.lastFourWeeks.p50Ms)
    return ("%-24s p50 %s (was %s)%s"):format(t.intent, now, before, flags)
  end)
  section("Flaky:", s.flaky, function(f)
    return ("%-24s %d of %d runs flipped"):format(f.intent, f.flips, f.runs)
  end)
  return lines
end

--- :IntentStats [all]: the stats of the current folder (or of every folder).
---@param all? boolean
function M.show(all)
  require("intentls.report").show({
    command = constants.cmd.stats,
    args = function(client)
      return { cwd = client.root_dir, allFolders = all or nil }
    end,
    lines = M.lines,
    filetype = "intentls-stats",
    event = "IntentlsStats",
  })
end

return M
