-- A failed run's output as diagnostics in vim.diagnostic (a real Python syntax error on its
-- line), and its quick fixes in the code-action menu (showing the run's output in a buffer).

local ws = T.workspace({
  ["intents.toml"] = '[intents.app]\nrun = "python3 app.py"\n',
  ["app.py"] = "import os\n\ndef f(:\n    pass\n",
})
T.stub_select_by_kind({
  ["intentls.trust"] = "Trust this folder",
  ["codeaction"] = "Show the run's output",
})
require("intentls").setup({ output = { open = "never" } })
local buf = T.edit(vim.fs.joinpath(ws, "app.py"))
T.client_of(buf)

T.test("a syntax error lands on its line, with quick fixes in the code-action menu", function()
  local f0 = #T.finished
  vim.cmd("Intent app")
  T.eq("failed", T.wait_finished("app", f0).status, "status")
  local found
  T.wait(10000, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.source == "intentls" then
        found = d
        return true
      end
    end
  end, "an intentls diagnostic on app.py")
  T.eq(2, found.lnum, "its line (0-based)")
  T.eq("invalid syntax", found.message, "its message")
  T.eq(vim.diagnostic.severity.ERROR, found.severity, "its severity")

  vim.api.nvim_set_current_buf(buf)
  vim.api.nvim_win_set_cursor(0, { 3, 0 })
  local s0 = #T.selects
  vim.lsp.buf.code_action({ context = { only = { "quickfix" }, diagnostics = {} } })
  local menu
  T.wait(10000, function()
    for i = s0 + 1, #T.selects do
      if T.selects[i].opts.kind == "codeaction" then
        menu = T.selects[i]
        return true
      end
    end
  end, "the code-action menu")
  local labels = table.concat(menu.labels, " | ")
  T.ok(labels:find("Re-run «app»", 1, true) ~= nil, "re-run offered: " .. labels)
  T.wait(10000, function()
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      local name = vim.api.nvim_buf_get_name(b)
      if name:match("%.log$") and vim.api.nvim_buf_is_loaded(b) then
        return table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), "\n"):find("invalid syntax", 1, true)
      end
    end
  end, "the run's output in a buffer")
end)
