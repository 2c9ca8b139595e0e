-- One-step install from a clean XDG_* (the runner points every XDG directory at a throwaway
-- folder): before, :checkhealth says what is missing; the build a lazy.nvim spec runs installs
-- the server into the plugin's own environment; after, the plugin starts that server.

local function without_intentls_on_path()
  local dirs = vim.tbl_filter(function(dir)
    return dir ~= "" and vim.fn.executable(vim.fs.joinpath(dir, "intentls")) ~= 1
  end, vim.split(vim.env.PATH or "", ":", { plain = true }))
  vim.env.PATH = table.concat(dirs, ":")
end

local function health_text()
  vim.cmd("checkhealth intentls")
  local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
  vim.cmd("bwipeout!")
  return text
end

T.test("from a clean data dir: checkhealth names what is missing, the build installs it, the plugin uses it", function()
  without_intentls_on_path()
  local install = require("intentls.install")
  T.ok(vim.startswith(install.venv(), vim.fn.stdpath("data")), "the environment lives in the plugin's data dir")
  T.ok(not install.installed(), "a clean data dir has no server")
  local before = health_text()
  T.ok(before:find("no server in the plugin's environment", 1, true), "checkhealth says it is missing:\n" .. before)
  T.ok(before:find(":IntentInstall", 1, true), "and how to install it:\n" .. before)

  local notes = {}
  local server = install.build({ notify = function(msg) table.insert(notes, msg) end })
  T.eq(install.server(), server, "the build returns the installed server")
  T.ok(#notes >= 2, "the build says what it does")
  local cmd = require("intentls.server").resolve_cmd(require("intentls.config").get())
  T.eq({ install.server(), "serve" }, cmd, "the plugin starts its own server")
  local version = vim.system({ server, "--version" }, { text = true }):wait(30000)
  T.ok(version.code == 0 and version.stdout:find("intentls", 1, true), "the installed server runs")
  local after = health_text()
  T.ok(after:find("server installed in the plugin's environment", 1, true), "checkhealth says so:\n" .. after)
end)

T.test("a Python older than 3.11 is refused with a clear message", function()
  local fake = vim.fs.joinpath(vim.fn.tempname(), "python3")
  vim.fn.mkdir(vim.fs.dirname(fake), "p")
  vim.fn.writefile({ "#!/bin/sh", 'echo "3 9"' }, fake)
  vim.fn.setfperm(fake, "rwxr-xr-x")
  local ok, err = pcall(require("intentls.install").build, { python = fake, source = "/nonexistent" })
  T.ok(not ok and tostring(err):find("3.11 or newer", 1, true), "message: " .. tostring(err))
  T.ok(tostring(err):find("3.9", 1, true), "it says what was found: " .. tostring(err))
end)

T.test("the environment is removed again, so later test files start without it", function()
  vim.fn.delete(require("intentls.install").venv(), "rf")
  T.ok(not require("intentls.install").installed(), "removed")
end)
