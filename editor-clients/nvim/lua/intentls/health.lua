-- :checkhealth intentls
local M = {}

function M.check()
  local health = vim.health
  local constants = require("intentls.constants")
  local cfg = require("intentls.config").get()

  health.start("intentls: Neovim")
  if vim.fn.has("nvim-0.11") == 1 then
    health.ok("Neovim " .. tostring(vim.version()))
  else
    health.warn("Neovim " .. tostring(vim.version()) .. ": 0.11 or newer is expected", {
      "Older versions start the server with vim.lsp.start and are not tested.",
    })
  end

  health.start("intentls: install")
  local install = require("intentls.install")
  if install.installed() then
    health.ok("server installed in the plugin's environment: " .. install.server())
  else
    health.info("no server in the plugin's environment (" .. install.venv() .. ")")
  end
  local python, perr = install.find_python()
  if python then
    health.ok("Python for the server: " .. python)
  else
    health.warn(perr or "no Python", { "Install Python 3.11 or newer, or set g:python3_host_prog." })
  end

  health.start("intentls: server")
  local cmd, err = require("intentls.server").resolve_cmd(cfg)
  if not cmd then
    health.error(err or "no server command")
  else
    health.ok("server command: " .. table.concat(cmd, " "))
    local probe
    if cmd[2] == "-m" then
      probe = { cmd[1], "-c", "import intentls" }
    else
      probe = { vim.fn.exepath(cmd[1]) ~= "" and vim.fn.exepath(cmd[1]) or cmd[1], "--version" }
    end
    local ok, res = pcall(function()
      return vim.system(probe, { text = true }):wait(10000)
    end)
    if ok and res.code == 0 then
      health.ok("`" .. table.concat(probe, " ") .. "` works")
    else
      health.error("`" .. table.concat(probe, " ") .. "` failed", {
        "Install the server: :IntentInstall (lazy.nvim's `build` runs it), or `pip install -e .` in its repository.",
        "Or set `cmd` / `python` in require('intentls').setup({...}).",
        ok and (res.stderr or "") or tostring(res),
      })
    end
  end

  health.start("intentls: clients")
  local clients = vim.lsp.get_clients({ name = constants.CLIENT_NAME })
  if #clients == 0 then
    health.info("no intentls client is running (open a file of a workspace, or run :Intent)")
  end
  for _, client in ipairs(clients) do
    local provider = client.server_capabilities and client.server_capabilities.executeCommandProvider
    local commands = type(provider) == "table" and provider.commands or {}
    health.ok(("client %d for %s: commands %s"):format(
      client.id,
      client.root_dir or "(no folder)",
      #commands > 0 and table.concat(commands, ", ") or "(none)"
    ))
    local missing = {}
    for _, name in pairs(constants.cmd) do
      if not vim.list_contains(commands, name) then
        table.insert(missing, name)
      end
    end
    if #missing > 0 then
      table.sort(missing)
      health.info("not supported by this server yet: " .. table.concat(missing, ", "))
    end
  end

  health.start("intentls: trust")
  local trust = require("intentls.trust")
  health.info("trust answers are kept in " .. trust.state_file())
  local root = require("intentls.server").cwd_root()
  local verdict = trust.get(root)
  if verdict == true then
    health.ok(root .. " is trusted")
  elseif verdict == false then
    health.warn(root .. " is not trusted: its intents are blocked", { ":IntentTrust on" })
  else
    health.info(root .. ": not asked yet")
  end
end

return M
