-- :IntentRollback against the real server: a checkpoint, changes made by a run and on disk, the
-- checkpoint picked and the rollback confirmed, the files back on disk; the rollback undone;
-- an unsaved buffer as a conflict, rolled back anyway.

local ws = T.workspace({
  ["intents.toml"] = '[intents.hello]\nrun = "echo hello"\n',
  ["a.txt"] = "before\n",
  ["b.txt"] = "b before\n",
})
T.stub_select_by_kind({
  ["intentls.trust"] = "Trust this folder",
  ["intentls.checkpoint"] = "mine",
  ["intentls.rollback_confirm"] = "Roll back",
  ["intentls.force"] = "Roll back anyway",
})
require("intentls").setup({ output = { open = "never" } })
local a = vim.fs.joinpath(ws, "a.txt")
local b = vim.fs.joinpath(ws, "b.txt")
local abuf = T.edit(a)
local client = T.client_of(abuf)

local results = 0 -- undo, redo and rollback results shown (User IntentlsUndo)
vim.api.nvim_create_autocmd("User", {
  pattern = "IntentlsUndo",
  callback = function()
    results = results + 1
  end,
})

--- Waits until `n` results have been shown, then until what showing them scheduled (settling
--- the restored buffers, :checktime) has run: an edit made after that is not reloaded away.
---@param n integer
local function wait_results(n)
  T.wait(15000, function()
    return results >= n
  end, ("result %d of an undo or rollback"):format(n))
  local done = false
  vim.schedule(function()
    done = true
  end)
  T.wait(5000, function()
    return done
  end, "the callbacks the result scheduled")
end

---@param path string
---@return string
local function disk(path)
  return (T.read(path):gsub("\n$", ""))
end

---@param path string
---@param text string
local function wait_disk(path, text)
  T.wait(15000, function()
    return disk(path) == text
  end, ("%s to hold %q on disk (it has %q)"):format(vim.fs.basename(path), text, disk(path)))
end

---@param text string
local function wait_buffer(text)
  T.wait(5000, function()
    return T.buf_text(abuf) == text
  end, ("the buffer of a.txt to show %q"):format(text))
end

--- The vim.ui.select calls of `kind` since index `after` of T.selects.
---@param kind string
---@param after integer
---@return table[]
local function selects_of(kind, after)
  local found = {}
  for i = after + 1, #T.selects do
    if T.selects[i].opts.kind == kind then
      table.insert(found, T.selects[i])
    end
  end
  return found
end

T.test("the server advertises intentls.checkpoints and intentls.rollback", function()
  local server = require("intentls.server")
  T.ok(server.supports(client, "intentls.checkpoints"), "intentls.checkpoints is not advertised")
  T.ok(server.supports(client, "intentls.rollback"), "intentls.rollback is not advertised")
end)

T.test(":IntentRollback without checkpoints says how to make one", function()
  local s0 = #T.selects
  vim.cmd("IntentRollback")
  T.wait(10000, function()
    return T.find_note("no checkpoints yet")
  end, "the message that the folder has no checkpoints")
  T.ok(T.find_note("no checkpoints yet"):find(":IntentCheckpoint", 1, true), "the message names :IntentCheckpoint")
  T.eq(0, #selects_of("intentls.checkpoint", s0), "pickers shown")
end)

T.test(":IntentRollback returns files changed by a run and on disk to the checkpoint", function()
  vim.cmd("IntentCheckpoint mine")
  T.wait(10000, function()
    return T.find_note("checkpoint %S+ created")
  end, "the checkpoint")
  local f0 = #T.finished
  vim.cmd("Intent $ echo after > a.txt")
  T.eq("succeeded", T.wait_finished("$ echo after > a.txt", f0).status, "the run's status")
  wait_buffer("after")
  local fd = assert(io.open(b, "w"))
  fd:write("b after\n")
  fd:close()

  local s0, r0 = #T.selects, results
  vim.cmd("IntentRollback")
  wait_results(r0 + 1)
  T.ok(T.find_note("rollback done: 2 file%(s%) restored"), "the rollback's result is shown")
  wait_disk(a, "before")
  wait_disk(b, "b before")
  wait_buffer("before")

  local picker = selects_of("intentls.checkpoint", s0)
  T.eq(1, #picker, "checkpoint pickers shown")
  T.eq(1, #picker[1].labels, "checkpoints offered")
  local label = picker[1].labels[1]
  T.ok(label:find("mine", 1, true) and label:find("just now", 1, true), "name and age: " .. label)
  T.ok(label:match("%d%d%d%d%-%d%d%-%d%d %d%d:%d%d") and label:match("%d+ paths"), "date and size: " .. label)
  local confirm = selects_of("intentls.rollback_confirm", s0)
  T.eq(1, #confirm, "confirmations asked")
  T.ok(confirm[1].opts.prompt:find("«mine»", 1, true), "the confirmation names the checkpoint")
  T.eq(0, #selects_of("intentls.force", s0), "offers to force without a conflict")
end)

T.test(":IntentUndo undoes the rollback", function()
  local r0 = results
  vim.cmd("IntentUndo")
  wait_results(r0 + 1)
  wait_disk(a, "after")
  wait_disk(b, "b after")
  wait_buffer("after")
end)

T.test("an unsaved buffer is a conflict; rolling back anyway restores it", function()
  vim.api.nvim_buf_set_lines(abuf, 0, -1, false, { "unsaved edit" })
  T.ok(vim.bo[abuf].modified, "the buffer has unsaved changes")
  local s0, r0 = #T.selects, results
  vim.cmd("IntentRollback")
  T.wait(15000, function()
    return #selects_of("intentls.force", s0) > 0
  end, "the offer to roll back anyway")
  T.ok(T.find_note("a.txt: open in the editor with unsaved changes"), "the conflict is shown")
  -- b.txt had no conflict: it is rolled back at once; a.txt only when forced.
  wait_results(r0 + 2)
  wait_disk(b, "b before")
  wait_disk(a, "before")
  wait_buffer("before")
  T.wait(5000, function()
    return not vim.bo[abuf].modified
  end, "the buffer to equal the file on disk, unmodified")
end)
