-- Trust: an untrusted folder's run is blocked and its actions are offered; granting trust
-- later reaches the server with intentls/setTrust.

local ws = T.workspace({ ["intents.toml"] = '[intents.hello]\nrun = "echo trusted now"\n' })
require("intentls").setup({ output = { open = "never" } })

T.test("the trust question comes once and 'Do not trust' is remembered", function()
  T.stub_select_by_kind({ ["intentls.trust"] = "Do not trust" })
  local buf = T.edit(vim.fs.joinpath(ws, "intents.toml"))
  T.client_of(buf)
  local asked = vim.tbl_filter(function(s)
    return s.opts.kind == "intentls.trust"
  end, T.selects)
  T.eq(1, #asked, "asked once")
  T.ok(asked[1].opts.prompt:find(vim.fn.fnamemodify(ws, ":t"), 1, true), "the prompt names the folder")
  T.eq(false, require("intentls.trust").get(ws), "remembered")
end)

T.test("a blocked run offers its actions and 'Trust and run again' runs it", function()
  local offered
  T.stub_select(function(items, opts, labels)
    if opts.kind == "intentls.blocked" then
      offered = labels
      return T.pick_label("Trust this folder and run again")(items, opts, labels)
    end
  end)
  local blocked
  vim.api.nvim_create_autocmd("User", {
    pattern = "IntentlsBlocked",
    once = true,
    callback = function(args)
      blocked = args.data.result
    end,
  })
  local f0 = #T.finished
  vim.cmd("Intent hello")
  T.wait(15000, function()
    return offered
  end, "the blocked run's actions to be offered")
  T.eq("blocked", blocked.status, "status")
  local kinds = vim.tbl_map(function(w)
    return w.kind
  end, blocked.warnings or {})
  T.ok(vim.tbl_contains(kinds, "untrusted"), "an untrusted warning: " .. vim.inspect(blocked.warnings))
  local result
  T.wait(30000, function()
    for i = f0 + 1, #T.finished do
      if T.finished[i].intent == "hello" and T.finished[i].status ~= "blocked" then
        result = T.finished[i]
        return true
      end
    end
  end, "the run after granting trust")
  T.eq("succeeded", result.status, "status after trust was granted")
  T.eq(true, require("intentls.trust").get(ws), "the grant is remembered")
end)

T.test("the server's own actions of a blocked run are offered as LSP commands", function()
  local ws2 = T.workspace({ ["intents.toml"] = '[intents.hello]\nrun = "echo x"\n' })
  require("intentls.trust").set(ws2, false)
  local seen
  T.stub_select(function(items, opts)
    if opts.kind == "intentls.blocked" and not seen then
      seen = items
      for i, item in ipairs(items) do
        if item.command then
          return i -- the server's first action
        end
      end
    end
  end)
  local f0 = #T.finished
  local buf = T.edit(vim.fs.joinpath(ws2, "intents.toml"))
  T.client_of(buf)
  vim.cmd("Intent hello")
  T.wait(15000, function()
    return seen
  end, "the blocked run's actions")
  local commands = vim.tbl_filter(function(i)
    return i.command
  end, seen)
  if #commands == 0 then
    T.skip("the server sent no actions for an untrusted run (only the plugin's own trust action)")
  end
  for _, item in ipairs(commands) do
    T.ok(type(item.command.command) == "string" and item.command.title, "a Command: " .. vim.inspect(item.command))
  end
  -- The chosen action went out as workspace/executeCommand: its run finishes, not blocked.
  local result
  T.wait(30000, function()
    for i = f0 + 1, #T.finished do
      if T.finished[i].status ~= "blocked" then
        result = T.finished[i]
        return true
      end
    end
  end, "the run of the chosen action " .. commands[1].label)
  T.eq("succeeded", result.status, "status of " .. commands[1].label)
  T.eq(false, require("intentls.trust").get(ws2), "the folder stays untrusted")
end)

T.test("'Not now' runs untrusted this session; :IntentTrust on tells the running server", function()
  local ws3 = T.workspace({ ["intents.toml"] = '[intents.hello]\nrun = "echo granted"\n' })
  T.stub_select(function(items, opts, labels)
    if opts.kind == "intentls.trust" then
      return T.pick_label("Not now")(items, opts, labels)
    end
    -- blocked runs: choose nothing
  end)
  local buf = T.edit(vim.fs.joinpath(ws3, "intents.toml"))
  T.client_of(buf)
  T.eq(nil, require("intentls.trust").get(ws3), "'Not now' is not remembered")
  local blocked
  vim.api.nvim_create_autocmd("User", {
    pattern = "IntentlsBlocked",
    once = true,
    callback = function(args)
      blocked = args.data.result
    end,
  })
  vim.cmd("Intent hello")
  T.wait(10000, function()
    return blocked
  end, "the run to be blocked")
  vim.cmd("IntentTrust on")
  T.eq(true, require("intentls.trust").get(ws3), "remembered")
  local f0 = #T.finished
  vim.cmd("Intent hello")
  T.eq("succeeded", T.wait_finished("hello", f0).status, "the run after :IntentTrust on")
end)
