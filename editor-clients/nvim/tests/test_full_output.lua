-- A run's full output against the real server: :IntentOutput! opens the newest run's file
-- read-only (every line, though the stream to the editor is capped), :IntentOutput RUN STEP
-- shows one step's text, :IntentHistory offers it, and a run that is not there says why.

local ws = T.workspace({
  ["intents.toml"] = '[intents.count]\nrun = "seq 1 300000"\n\n[intents.greet]\nrun = "echo beta"\n',
})
T.stub_select_by_kind({
  ["intentls.trust"] = "Trust this folder",
  ["intentls.history"] = "count and greet",
  ["intentls.history_action"] = "Show its full output",
})
require("intentls").setup({ output = { open = "never" } })
local buf = T.edit(vim.fs.joinpath(ws, "intents.toml"))
T.client_of(buf)

--- Runs `command` and returns the full output it showed.
---@param command string
---@return table the server's answer
local function shown_by(command)
  return T.shown_by(command, "IntentlsFullOutput", "the full output of " .. command)
end

local run

T.test(":IntentOutput! opens the newest run's whole file, read-only", function()
  local f0 = #T.finished
  vim.cmd("Intent count and greet")
  run = T.wait_finished("count and greet", f0)
  T.eq("succeeded", run.status, "status")
  local answer = shown_by("IntentOutput!")
  T.eq(run.runId, answer.runId, "the newest run")
  T.eq(vim.uri_to_fname(answer.uri), vim.api.nvim_buf_get_name(0), "its file in the window")
  T.ok(vim.bo.readonly and not vim.bo.modifiable, "read-only")
  local last = vim.api.nvim_buf_get_lines(0, -2, -1, false)[1]
  local text = T.buf_text(0)
  T.ok(text:find("\n300000\n", 1, true) or last == "300000", "every line is there, the last too")
  T.ok(text:find("^── s%d ──\n") ~= nil, "a step header first: " .. text:sub(1, 40))
  vim.cmd("close")
end)

T.test(":IntentOutput RUN STEP shows one step's output", function()
  local answer = shown_by("IntentOutput " .. run.runId .. " greet")
  T.eq("beta", T.buf_text(0), "only greet's output")
  T.ok(vim.api.nvim_buf_get_name(0):find("intentls://output/" .. run.runId, 1, true), "named")
  T.eq(nil, answer.cutBytes, "nothing cut")
  vim.cmd("close")
end)

T.test(":IntentHistory offers a run's full output", function()
  local answer = shown_by("IntentHistory")
  T.eq(run.runId, answer.runId, "the chosen run")
  T.eq(vim.uri_to_fname(answer.uri), vim.api.nvim_buf_get_name(0), "its file")
  vim.cmd("close")
end)

T.test("a run that is not there says why", function()
  vim.cmd("IntentOutput nope")
  T.wait(10000, function()
    return T.find_note("no run 'nope' in the history", vim.log.levels.WARN)
  end, "the server's reason")
end)
