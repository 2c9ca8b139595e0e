-- The plugin loads, its commands exist, the real server attaches to the workspace's buffers
-- after the trust question, and :checkhealth runs.

T.test("the plugin file registers the commands before setup", function()
  vim.cmd("runtime! plugin/intentls.lua")
  local names =
    { "Intent", "IntentLast", "IntentUndo", "IntentRedo", "IntentHistory", "IntentCancel", "IntentRollback" }
  for _, name in ipairs(names) do
    T.ok(vim.fn.exists(":" .. name) == 2, ":" .. name .. " exists")
  end
  T.ok(package.loaded["intentls.run"] == nil, "loading the plugin loads no more than the commands")
end)

T.test("every Lua file of the plugin loads", function()
  for _, path in ipairs(vim.fn.globpath(T.root, "lua/intentls/*.lua", false, true)) do
    local mod = "intentls." .. vim.fn.fnamemodify(path, ":t:r")
    if mod == "intentls.init" then
      mod = "intentls"
    end
    local ok, err = pcall(require, mod)
    T.ok(ok, ("require %s: %s"):format(mod, tostring(err)))
  end
end)

T.test("setup() validates options and keeps the typed defaults", function()
  local ok = pcall(require("intentls").setup, "not a table")
  T.ok(not ok, "setup rejects a non-table")
  require("intentls").setup({ root_markers = { "intents.toml" }, keymaps = true })
  local cfg = require("intentls.config").get()
  T.eq({ "intents.toml" }, cfg.root_markers, "a list option replaces the default")
  T.eq("failure", cfg.output.open, "nested defaults stay")
  T.ok(vim.fn.maparg("<leader>ii", "n") ~= "", "opt-in keymaps are set")
  require("intentls").setup({})
end)

T.test("a missing server gives a message saying how to fix it", function()
  local server = require("intentls.server")
  local cmd, err = server.resolve_cmd({ cmd = { "/nonexistent/intentls", "serve" } })
  T.ok(cmd == nil and err:find("pip install intentls", 1, true), "message with the fix: " .. tostring(err))
  cmd, err = server.resolve_cmd({ python = "/nonexistent/python" })
  if vim.fn.executable("intentls") == 1 then
    T.eq({ "intentls", "serve" }, cmd, "intentls on PATH is used")
  else
    T.ok(err and err:find("setup", 1, true), "message with the fix")
  end
end)

T.test("the real server attaches to every buffer of a trusted workspace", function()
  local ws = T.workspace({
    ["intents.toml"] = '[intents.hello]\nrun = "echo hello"\n',
    ["Makefile"] = "all:\n\techo all\n",
    ["package.json"] = '{ "scripts": { "hi": "echo hi" } }\n',
    [".vscode/tasks.json"] = '{ "version": "2.0.0", "tasks": [] }\n',
    ["notes"] = "a file without a filetype\n",
  })
  T.stub_select_by_kind({ ["intentls.trust"] = "Trust this folder" })
  local before = #T.selects
  local client
  for _, name in ipairs({ "intents.toml", "Makefile", "package.json", ".vscode/tasks.json", "notes" }) do
    local buf = T.edit(vim.fs.joinpath(ws, name))
    local c = T.client_of(buf)
    client = client or c
    T.eq(client.id, c.id, "one client for the folder (" .. name .. ")")
  end
  T.eq(before + 1, #T.selects, "the trust question was asked once")
  T.eq(ws, client.root_dir, "the client's root")
  T.eq(true, require("intentls.trust").get(ws), "the answer is remembered")
  local state = vim.json.decode(T.read(require("intentls.trust").state_file()))
  T.eq(true, state.folders[ws], "the state file keeps the answer by real path")
  local provider = client.server_capabilities.executeCommandProvider
  T.ok(provider and vim.list_contains(provider.commands, "intentls.run"), "the server advertises intentls.run")
end)

T.test("a broken intents.toml gets a diagnostic at the broken line", function()
  local ws = T.workspace({ ["intents.toml"] = '[intents.ok]\nrun = "echo"\n\n[intents.bad]\nrun = 3\n' })
  T.stub_select_by_kind({ ["intentls.trust"] = "Trust this folder" })
  local buf = T.edit(vim.fs.joinpath(ws, "intents.toml"))
  T.client_of(buf)
  T.wait(20000, function()
    return #vim.diagnostic.get(buf) > 0
  end, "a diagnostic on intents.toml")
  local d = vim.diagnostic.get(buf)[1]
  T.eq(4, d.lnum, "the line of `run = 3` (0-based)")
  T.ok(d.message:find("run", 1, true) and d.source == "intentls", "message: " .. d.message)
end)

T.test(":checkhealth intentls runs", function()
  vim.cmd("silent checkhealth intentls")
  local text = T.buf_text(0)
  T.ok(text:find("server command", 1, true), "health shows the server command:\n" .. text)
  T.ok(not text:find("ERROR", 1, true), "no error in health:\n" .. text)
  vim.cmd("bwipeout!")
end)

T.test(":help intentls exists", function()
  vim.cmd("helptags " .. vim.fn.fnameescape(T.root .. "/doc"))
  vim.cmd("help intentls")
  T.ok(vim.bo.filetype == "help", "help opened")
  vim.cmd("helpclose")
end)
