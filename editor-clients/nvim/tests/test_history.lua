-- :IntentHistory shows when runs started in the person's own time zone, not the server's UTC.

T.test("a run's start time is shown in local time", function()
  vim.env.TZ = "XYZ-2" -- POSIX: two hours east of UTC, no tz database needed
  local history = require("intentls.history")
  T.eq("2026-01-02 05:04:05", history.local_time("2026-01-02T03:04:05.123+00:00"), "UTC with offset")
  T.eq("2026-01-02 05:04:05", history.local_time("2026-01-02T03:04:05Z"), "UTC as Z")
  T.eq("2026-01-02 04:04:05", history.local_time("2026-01-02T03:04:05+01:00"), "another offset")
  T.eq("yesterday", history.local_time("yesterday"), "not ISO 8601: kept as it came")
  local line = history.format({ status = "succeeded", startedAt = "2026-01-02T03:04:05+00:00", intent = "test" })
  T.ok(line:find("2026-01-02 05:04:05", 1, true), "the history line: " .. line)
end)
