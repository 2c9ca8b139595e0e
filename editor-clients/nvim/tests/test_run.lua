-- Running intents with the real server: progress, runFinished, output, history, cancel.

local ws = T.workspace({
  ["intents.toml"] = table.concat({
    "[intents.hello]",
    'run = "echo hello from toml"',
    "",
    "[intents.fail]",
    "run = \"sh -c 'echo broken >&2; exit 3'\"",
    "",
  }, "\n"),
  ["a.txt"] = "old\n",
})
T.stub_select_by_kind({ ["intentls.trust"] = "Trust this folder" })
require("intentls").setup({ output = { open = "never" } })
local buf = T.edit(vim.fs.joinpath(ws, "intents.toml"))
local client = T.client_of(buf)

T.test(":Intent $ echo runs with progress on the plugin's token, runFinished and output", function()
  local p0, f0 = #T.progress, #T.finished
  vim.cmd("Intent $ echo hello")
  local result = T.wait_finished("$ echo hello", f0)
  T.eq("succeeded", result.status, "status")
  local kinds, tokens = {}, {}
  T.wait(5000, function()
    for i = p0 + 1, #T.progress do
      kinds[T.progress[i].value.kind] = true
      tokens[T.progress[i].token] = true
    end
    return kinds["end"]
  end, "the end of the progress")
  T.ok(kinds.begin, "a progress begin was seen")
  local ours = false
  for token in pairs(tokens) do
    ours = ours or (type(token) == "string" and vim.startswith(token, "intentls.nvim/"))
  end
  T.ok(ours, "progress came on the plugin's own token: " .. vim.inspect(tokens))
  T.wait(5000, function()
    return vim.tbl_contains(require("intentls.output").lines(), "hello")
  end, "'hello' in the output buffer")
  T.ok(require("intentls").status():find("echo hello", 1, true), "status() names the last run")
end)

T.test(":Intent NAME runs an intents.toml entry", function()
  local f0 = #T.finished
  vim.cmd("Intent hello")
  local result = T.wait_finished("hello", f0)
  T.eq("succeeded", result.status, "status")
  T.wait(5000, function()
    return vim.tbl_contains(require("intentls.output").lines(), "hello from toml")
  end, "the entry's output in the buffer")
end)

T.test("completion of :Intent offers the folder's intents", function()
  local names = vim.fn.getcompletion("Intent he", "cmdline")
  T.ok(vim.tbl_contains(names, "hello"), "hello is completed: " .. vim.inspect(names))
  names = vim.fn.getcompletion("Intent hello ", "cmdline")
  T.ok(vim.tbl_contains(names, "then"), "then is offered after a word: " .. vim.inspect(names))
end)

T.test(":Intent without text picks from the list", function()
  T.stub_select_by_kind({ ["intentls.intent"] = "hello" })
  local f0 = #T.finished
  vim.cmd("Intent")
  T.eq("succeeded", T.wait_finished("hello", f0).status, "status")
  local sel = T.selects[#T.selects]
  T.ok(vim.tbl_contains(sel.labels, "Type an intent…"), "free text is offered")
end)

T.test("a failing run is reported as an error with its step", function()
  local f0 = #T.finished
  vim.cmd("Intent fail")
  local result = T.wait_finished("fail", f0)
  T.eq("failed", result.status, "status")
  T.wait(5000, function()
    return T.find_note("fail failed", vim.log.levels.ERROR)
  end, "an error notification")
  T.wait(5000, function()
    return vim.tbl_contains(require("intentls.output").lines(), "broken")
  end, "stderr in the output buffer")
end)

T.test("'then' joins intents", function()
  local f0 = #T.finished
  vim.cmd("Intent hello then $ echo second")
  local result = T.wait_finished("hello then $ echo second", f0)
  T.eq("succeeded", result.status, "status")
  T.ok(#result.steps >= 2, "two steps: " .. vim.inspect(result.steps))
end)

T.test(":IntentLast runs the last intent again", function()
  local f0 = #T.finished
  vim.cmd("IntentLast")
  T.eq("succeeded", T.wait_finished("hello then $ echo second", f0).status, "status")
end)

T.test(":IntentCancel cancels a running run", function()
  local s0, f0 = #T.started, #T.finished
  vim.cmd("Intent $ sleep 30")
  T.wait(10000, function()
    return #T.started > s0
  end, "intentls/runStarted")
  T.wait(10000, function()
    return require("intentls").status():find("sleep", 1, true)
  end, "status() to show the running run")
  vim.cmd("IntentCancel")
  local result = T.wait_finished("$ sleep 30", f0)
  T.eq("cancelled", result.status, "status")
end)

T.test(":IntentHistory lists runs and runs one again", function()
  T.stub_select(function(_, opts, labels)
    if opts.kind == "intentls.history" then
      return T.pick_label("  hello  ")(nil, nil, labels)
    elseif opts.kind == "intentls.history_action" then
      return T.pick_label("Run again")(nil, nil, labels)
    end
  end)
  local f0 = #T.finished
  vim.cmd("IntentHistory")
  T.eq("succeeded", T.wait_finished("hello", f0).status, "the chosen run ran again")
end)

T.test("a run that changes an open file reloads its buffer", function()
  local path = vim.fs.joinpath(ws, "a.txt")
  local abuf = T.edit(path)
  T.eq("old", T.buf_text(abuf), "buffer before")
  local f0 = #T.finished
  vim.cmd("Intent $ echo new > a.txt")
  local result = T.wait_finished("$ echo new > a.txt", f0)
  T.eq("succeeded", result.status, "status")
  if #(result.changedFiles or {}) == 0 then
    T.skip("the server reports no changedFiles yet")
  end
  T.wait(5000, function()
    return T.buf_text(abuf) == "new"
  end, "the buffer to show the new content")
end)

T.test("the client is the same throughout", function()
  T.eq(client.id, require("intentls.server").get_client(buf).id, "client")
end)

T.test("the server's code lenses show and run through the plugin", function()
  if not client.server_capabilities.codeLensProvider then
    T.skip("the server advertises no code lenses yet")
  end
  vim.api.nvim_set_current_buf(buf)
  local lenses
  T.wait(15000, function()
    lenses = vim.lsp.codelens.get(buf)
    return lenses and #lenses > 0
  end, "code lenses on intents.toml")
  local hello
  for _, lens in ipairs(lenses) do
    if lens.command and lens.command.title:find("hello", 1, true) then
      hello = lens
    end
  end
  T.ok(hello, "a lens for hello: " .. vim.inspect(lenses))
  vim.api.nvim_win_set_cursor(0, { hello.range.start.line + 1, 0 })
  local p0, f0 = #T.progress, #T.finished
  vim.lsp.codelens.run()
  T.eq("succeeded", T.wait_finished("hello", f0).status, "the lens ran hello")
  local ours = false
  T.wait(5000, function()
    for i = p0 + 1, #T.progress do
      local token = T.progress[i].token
      ours = ours or (type(token) == "string" and vim.startswith(token, "intentls.nvim/"))
    end
    return ours
  end, "progress of the lens's run on the plugin's token")
end)

T.test(":IntentPlan shows the steps and how the text was read, without running them", function()
  local f0, n0 = #T.finished, #T.notes
  vim.cmd("IntentPlan $ echo cats and dogs then hello")
  local shown
  T.wait(10000, function()
    for i = n0 + 1, #T.notes do
      if T.notes[i].msg:find("plan for", 1, true) then
        shown = T.notes[i].msg
        return true
      end
    end
  end, "the plan to be shown")
  T.ok(shown:find("read as: «$ echo cats and dogs» then «hello»", 1, true), shown)
  T.eq(f0, #T.finished, "nothing ran")
end)

T.test(":Intent! starts a background run that :IntentCancel ends", function()
  local s0, f0, n0 = #T.started, #T.finished, #T.notes
  vim.cmd("Intent! $ sleep 30")
  T.wait(10000, function()
    return #T.started > s0
  end, "intentls/runStarted")
  local answered = vim.wait(3000, function()
    for i = n0 + 1, #T.notes do
      if T.notes[i].msg:find("runs in the background", 1, true) then
        return true
      end
    end
  end, 10)
  vim.cmd("IntentCancel")
  T.eq("cancelled", T.wait_finished("$ sleep 30", f0).status, "status")
  if not answered then
    T.skip("the server did not answer the background run at once (status running)")
  end
end)
