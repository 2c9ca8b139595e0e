-- Up-to-date skipping seen from Neovim: the second run of an intent whose inputs did not change
-- is skipped (a notice says so and how to force it); :IntentForce runs it anyway.

local ws = T.workspace({
  ["intents.toml"] = table.concat({
    "[intents.gen]",
    'run = "echo generated >> gen.log"',
    'inputs = ["src/*.c"]',
    "",
  }, "\n"),
  ["src/a.c"] = "int a;\n",
})
T.stub_select_by_kind({ ["intentls.trust"] = "Trust this folder" })
require("intentls").setup({ output = { open = "never" } })
local buf = T.edit(vim.fs.joinpath(ws, "intents.toml"))
T.client_of(buf)

local function runs()
  local text = T.read(vim.fs.joinpath(ws, "gen.log")) or ""
  return select(2, text:gsub("generated", ""))
end

T.test("an up-to-date intent is skipped with a notice, and :IntentForce runs it", function()
  local f0 = #T.finished
  vim.cmd("Intent gen")
  T.eq("succeeded", T.wait_finished("gen", f0).status, "first run")
  f0 = #T.finished
  vim.cmd("Intent gen")
  local again = T.wait_finished("gen", f0)
  T.eq("succeeded", again.status, "second run")
  T.eq(true, again.steps[1].upToDate, "the step was up to date")
  T.eq(1, runs(), "the command ran once")
  T.wait(5000, function()
    return T.find_note("up to date, not run") ~= nil
  end, "the up-to-date notice")
  T.ok(T.find_note(":IntentForce gen"), "the notice says how to force it")
  f0 = #T.finished
  vim.cmd("IntentForce gen")
  local forced = T.wait_finished("gen", f0)
  T.eq(nil, forced.steps[1].upToDate, "forced: it ran")
  T.eq(2, runs(), "the command ran again")
end)
