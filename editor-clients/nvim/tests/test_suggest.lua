-- Suggestions in Neovim: learned from runs, the next step in a run's message, offered in
-- vim.lsp.buf.code_action() and by :IntentSuggest, and run when taken.

local ws = T.workspace({
  ["Makefile"] = "fmt:\n\tdate +%s%N > formatted.txt\n\ntest:\n\techo tested >> tested.txt\n",
  ["app.py"] = "print('hi')\n",
})
T.stub_select_by_kind({ ["intentls.trust"] = "Trust this folder", ["intentls.suggest"] = "Run test" })
require("intentls").setup({ output = { open = "never" } })
local buf = T.edit(vim.fs.joinpath(ws, "app.py"))
local client = T.client_of(buf)
local tested = vim.fs.joinpath(ws, "tested.txt")

local function run(intent)
  local f0 = #T.finished
  vim.cmd("Intent " .. intent)
  local result = T.wait_finished(intent, f0)
  T.eq("succeeded", result.status, intent .. " status")
  return result
end

---@return integer
local function tests_run()
  local ok, lines = pcall(vim.fn.readfile, tested)
  return ok and #lines or 0
end

local function supported()
  local p = client.server_capabilities.codeActionProvider
  if not (type(p) == "table" and vim.tbl_contains(p.codeActionKinds or {}, "intentls.suggest")) then
    T.skip("the server does not offer intentls.suggest code actions yet")
  end
end

T.test("after fmt then test a few times, fmt's message names test as the next step", function()
  supported()
  for _ = 1, 4 do
    run("fmt")
    run("test")
  end
  local result = run("fmt")
  T.eq("Run test", result.suggestions and result.suggestions[1].title, "the result's next step")
  T.wait(5000, function()
    return T.find_note("next: Run test") ~= nil
  end, "the run's message with the next step")
end)

T.test("the suggestion shows in vim.lsp.buf.code_action() and runs when taken", function()
  supported()
  local before = tests_run()
  local f0 = #T.finished
  local titles = {}
  vim.api.nvim_set_current_buf(buf)
  vim.lsp.buf.code_action({
    context = { only = { "intentls.suggest" }, diagnostics = {} },
    apply = true,
    filter = function(a)
      table.insert(titles, a.title)
      return a.kind == "intentls.suggest" and vim.startswith(a.title, "Run test")
    end,
  })
  local result = T.wait_finished("test", f0)
  T.ok(vim.startswith(titles[1] or "", "Run test"), "Run test first in the menu: " .. vim.inspect(titles))
  T.eq("succeeded", result.status, "the taken suggestion's run")
  T.eq(before + 1, tests_run(), "test ran once more")
end)

T.test(":IntentSuggest offers the suggestions through vim.ui.select and runs the pick", function()
  supported()
  run("fmt")
  local before = tests_run()
  local f0 = #T.finished
  vim.cmd("IntentSuggest")
  T.wait_finished("test", f0)
  local shown = T.selects[#T.selects]
  T.eq("intentls.suggest", shown.opts.kind, "the select's kind")
  T.ok(shown.labels[1]:find("Run test", 1, true) ~= nil, "labels: " .. vim.inspect(shown.labels))
  T.eq(before + 1, tests_run(), "test ran once more")
end)
