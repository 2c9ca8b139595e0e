-- Runs one test file in this (headless) Neovim:  nvim --headless -u NONE -l tests/runner.lua FILE
-- Prints a line per test and, last, "RESULT <passed> <failed> <skipped>" for scripts/test.sh.
local here = vim.fs.dirname(vim.fs.normalize(debug.getinfo(1, "S").source:sub(2)))
package.path = here .. "/?.lua;" .. package.path
local T = require("helpers")
_G.T = T
T.setup_env()

local file = assert(_G.arg[1], "usage: runner.lua TEST_FILE")
local passed, failed, skipped
local ok, err = pcall(dofile, file)
if not ok then
  passed, failed, skipped = 0, 1, 0
  T.log(("not ok - %s: loading the file failed\n%s"):format(file, err))
else
  passed, failed, skipped = T.run_all(vim.fn.fnamemodify(file, ":t"))
end

-- Stop the servers gracefully (shutdown + exit) before leaving.
local clients = vim.lsp.get_clients()
for _, client in ipairs(clients) do
  client:stop()
end
vim.wait(5000, function()
  for _, client in ipairs(clients) do
    if not client:is_stopped() then
      return false
    end
  end
  return true
end, 20)
T.log(("RESULT %d %d %d"):format(passed, failed, skipped))
os.exit(failed == 0 and 0 or 1)
