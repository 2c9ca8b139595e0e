-- Bad input gives readable errors, never a crash; unsupported commands say so.

local ws = T.workspace({ ["intents.toml"] = '[intents.hello]\nrun = "echo hello"\n' })
T.stub_select_by_kind({ ["intentls.trust"] = "Trust this folder" })
require("intentls").setup({ output = { open = "never" } })
local buf = T.edit(vim.fs.joinpath(ws, "intents.toml"))
local client = T.client_of(buf)

T.test("an unknown intent gives a readable error naming it", function()
  local errors
  vim.api.nvim_create_autocmd("User", {
    pattern = "IntentlsError",
    once = true,
    callback = function(args)
      errors = args.data.error
    end,
  })
  vim.cmd("Intent helo")
  T.wait(10000, function()
    return errors
  end, "the error reply")
  T.eq(-32602, errors.code, "InvalidParams")
  local msg = T.find_note("run failed", vim.log.levels.ERROR)
  T.ok(msg and msg:find("helo", 1, true), "the message names the intent: " .. tostring(msg))
  T.ok(msg:find("hello", 1, true), "and the closest known name: " .. tostring(msg))
end)

T.test("the server still works after bad input", function()
  local f0 = #T.finished
  vim.cmd("Intent hello")
  T.eq("succeeded", T.wait_finished("hello", f0).status, "status")
  T.ok(not client:is_stopped(), "the client runs")
end)

T.test("a command the server does not advertise is not sent", function()
  local missing
  for _, name in ipairs({ "intentls.undo", "intentls.redo", "intentls.checkpoint", "intentls.stats" }) do
    if not require("intentls.server").supports(client, name) then
      missing = name
      break
    end
  end
  if not missing then
    T.skip("the server advertises undo, redo, checkpoint and stats")
  end
  local label = ({
    ["intentls.undo"] = "undo",
    ["intentls.redo"] = "redo",
    ["intentls.checkpoint"] = "checkpoints",
    ["intentls.stats"] = "stats",
  })[missing]
  require("intentls.run").execute(client, missing, { {} })
  T.ok(
    T.find_note("intentls server does not support " .. label .. " yet", vim.log.levels.WARN),
    "a clear message for " .. missing
  )
end)

T.test("an empty :Intent! text and odd arguments do not crash the plugin", function()
  local ok, err = pcall(vim.cmd, "Intent $")
  T.ok(ok, "no Lua error: " .. tostring(err))
  T.wait(10000, function()
    return client:is_stopped() == false and #vim.tbl_keys(client.requests or {}) == 0
  end, "the reply to `$`")
  T.ok(not client:is_stopped(), "the server is still up")
end)

T.test(":IntentRestart starts a new server that works", function()
  local old = client
  vim.cmd("IntentRestart")
  T.ok(old:is_stopped(), "the old client stopped")
  local new
  T.wait(20000, function()
    for _, c in ipairs(vim.lsp.get_clients({ bufnr = buf, name = "intentls" })) do
      if c.id ~= old.id and c.initialized then
        new = c
      end
    end
    return new
  end, "a new client to attach")
  local f0 = #T.finished
  vim.cmd("Intent hello")
  T.eq("succeeded", T.wait_finished("hello", f0).status, "status")
end)
