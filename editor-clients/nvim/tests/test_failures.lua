-- Failure analysis against the real server: :IntentExplain names the file edited since the last
-- success, and a run that failed last time is preceded by a vim.notify warning.

local ws = T.workspace({
  ["intents.toml"] = '[intents.check]\nrun = "grep -q ok state.txt"\n',
  ["state.txt"] = "ok\n",
})
T.stub_select_by_kind({ ["intentls.trust"] = "Trust this folder" })
require("intentls").setup({ output = { open = "never" } })
local buf = T.edit(vim.fs.joinpath(ws, "intents.toml"))
T.client_of(buf)

---@param text string
local function write(path, text)
  local fd = assert(io.open(path, "w"))
  fd:write(text)
  fd:close()
end

T.test(":IntentExplain names the file edited since the last success", function()
  local f0 = #T.finished
  vim.cmd("Intent check")
  T.eq("succeeded", T.wait_finished("check", f0).status, "first run")
  write(vim.fs.joinpath(ws, "state.txt"), "bad\n") -- edited between runs
  f0 = #T.finished
  vim.cmd("Intent check")
  T.eq("failed", T.wait_finished("check", f0).status, "second run")
  local shown = T.shown_by("IntentExplain", "IntentlsExplain", "the explanation")
  T.eq({ "state.txt" }, shown.changedFiles, "changedFiles")
  local text = T.buf_text(0)
  T.ok(text:find("«check» failed", 1, true), "the summary is shown:\n" .. text)
  T.ok(text:find("  state.txt", 1, true), "the changed file is listed:\n" .. text)
  vim.cmd("close")
end)

T.test("a run that failed last time is preceded by a warning, and runs", function()
  local f0 = #T.finished
  vim.cmd("Intent check")
  T.eq("failed", T.wait_finished("check", f0).status, "third run")
  local warning = T.find_note("failed last time", vim.log.levels.WARN)
  T.ok(warning, "a warning before the run")
  T.ok(warning:find("nothing changed since", 1, true), "it says nothing changed: " .. warning)
  T.ok(warning:find("will probably fail", 1, true), "it says it will probably fail: " .. warning)
end)
