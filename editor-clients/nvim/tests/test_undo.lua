-- Undo through the server's code action and :IntentUndo/:IntentRedo, and diagnostics of a
-- failed run in vim.diagnostic. Skipped with a reason while the server lacks the feature.

local ws = T.workspace({
  ["intents.toml"] = '[intents.hello]\nrun = "echo hello"\n',
  ["a.txt"] = "old\n",
  ["bad.py"] = "x = (\n",
})
T.stub_select_by_kind({ ["intentls.trust"] = "Trust this folder" })
require("intentls").setup({ output = { open = "never" } })
local path = vim.fs.joinpath(ws, "a.txt")
local abuf = T.edit(path)
local client = T.client_of(abuf)

---@param kind string
---@return boolean
local function has_action_kind(kind)
  local p = client.server_capabilities.codeActionProvider
  return type(p) == "table" and vim.tbl_contains(p.codeActionKinds or {}, kind)
end

local function change_file()
  local f0 = #T.finished
  vim.cmd("Intent $ echo new > a.txt")
  local result = T.wait_finished("$ echo new > a.txt", f0)
  T.eq("succeeded", result.status, "status")
  T.ok(vim.tbl_contains(result.changedFiles or {}, "a.txt"), "a.txt changed: " .. vim.inspect(result.changedFiles))
  T.wait(5000, function()
    return T.buf_text(abuf) == "new"
  end, "the buffer to show the change")
  return result
end

T.test("the undo code action restores a file and the open buffer shows it", function()
  if not require("intentls.server").supports(client, "intentls.undo") or not has_action_kind("intentls.undo") then
    T.skip("the server does not advertise intentls.undo code actions yet")
  end
  change_file()
  local u0 = 0
  vim.api.nvim_create_autocmd("User", {
    pattern = "IntentlsUndo",
    once = true,
    callback = function()
      u0 = u0 + 1
    end,
  })
  vim.api.nvim_set_current_buf(abuf)
  vim.lsp.buf.code_action({
    context = { only = { "intentls.undo" }, diagnostics = {} },
    apply = true,
    filter = function(a)
      return a.title:find("echo new", 1, true) ~= nil
    end,
  })
  T.wait(15000, function()
    return u0 > 0
  end, "the undo's result")
  T.eq("old", T.read(path):gsub("\n$", ""), "the file on disk")
  T.wait(5000, function()
    return T.buf_text(abuf) == "old"
  end, "the buffer to show the restored file")
end)

T.test(":IntentUndo and :IntentRedo", function()
  if not require("intentls.server").supports(client, "intentls.undo") then
    T.skip("the server does not advertise intentls.undo yet")
  end
  change_file()
  vim.cmd("IntentUndo")
  T.wait(15000, function()
    return T.buf_text(abuf) == "old"
  end, "the buffer after :IntentUndo")
  if not require("intentls.server").supports(client, "intentls.redo") then
    T.skip("the server does not advertise intentls.redo yet")
  end
  vim.cmd("IntentRedo")
  T.wait(15000, function()
    return T.buf_text(abuf) == "new"
  end, "the buffer after :IntentRedo")
end)

T.test("diagnostics of a failed run appear in vim.diagnostic", function()
  if not has_action_kind("quickfix") then
    T.skip("the server advertises no quickfix code actions (its diagnostics feature) yet")
  end
  local pbuf = T.edit(vim.fs.joinpath(ws, "bad.py"))
  local f0 = #T.finished
  local text = [[$ sh -c "echo 'bad.py:1:5: E999 SyntaxError: bad input'; exit 1"]]
  vim.cmd("Intent " .. text)
  T.eq("failed", T.wait_finished(text, f0).status, "status")
  T.wait(10000, function()
    for _, d in ipairs(vim.diagnostic.get(pbuf)) do
      if d.source == "intentls" then
        return true
      end
    end
  end, "an intentls diagnostic on bad.py")
end)
