-- :IntentStats against the real server: the folder's runs, success and slowest steps shown.

local ws = T.workspace({
  ["intents.toml"] = '[intents.hello]\nrun = "echo hello"\n\n[intents.oops]\nrun = "exit 3"\n',
})
T.stub_select_by_kind({ ["intentls.trust"] = "Trust this folder" })
require("intentls").setup({ output = { open = "never" } })
local buf = T.edit(vim.fs.joinpath(ws, "intents.toml"))
T.client_of(buf)

T.test(":IntentStats shows the folder's runs", function()
  for _, intent in ipairs({ "hello", "hello", "oops" }) do
    local f0 = #T.finished
    vim.cmd("Intent " .. intent)
    T.wait_finished(intent, f0)
  end
  local shown = T.shown_by("IntentStats", "IntentlsStats", "the stats")
  T.eq(3, shown.runs, "runs")
  local text = T.buf_text(0)
  T.ok(text:find("3 runs · 67 % succeeded", 1, true), "the totals are shown:\n" .. text)
  T.ok(text:find("hello%s+2 runs  100 %%"), "hello's line is shown:\n" .. text)
  T.ok(text:find("Slowest steps:", 1, true), "the slowest steps are shown:\n" .. text)
  vim.cmd("close")
end)
