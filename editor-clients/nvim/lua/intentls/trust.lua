-- Workspace trust. Neovim has none, so the plugin asks the person once per folder and keeps
-- the answer in its own state file, stdpath("state")/intentls/trust.json, keyed by the
-- folder's real path. The verdict reaches the server as initializationOptions.trusted and,
-- when it changes later, as the notification intentls/setTrust.
local constants = require("intentls.constants")

local M = {}

---@type table<string, boolean>|nil remembered verdicts, by real path
local remembered = nil
---@type table<string, boolean> "Not now" answers: untrusted for this session, asked again later
local session = {}
---@type table<string, fun()[]> callbacks waiting for the answer to an open prompt
local pending = {}

---@return string
function M.state_file()
  return vim.fs.joinpath(vim.fn.stdpath("state") --[[@as string]], "intentls", "trust.json")
end

---@param path string
---@return string
function M.realpath(path)
  return vim.uv.fs_realpath(path) or vim.fs.normalize(path)
end

---@return table<string, boolean>
local function load()
  if remembered then
    return remembered
  end
  remembered = {}
  local fd = io.open(M.state_file(), "r")
  if fd then
    local text = fd:read("*a")
    fd:close()
    local ok, data = pcall(vim.json.decode, text)
    if ok and type(data) == "table" and type(data.folders) == "table" then
      for folder, verdict in pairs(data.folders) do
        if type(verdict) == "boolean" then
          remembered[folder] = verdict
        end
      end
    else
      vim.notify("intentls: ignoring unreadable " .. M.state_file(), vim.log.levels.WARN)
    end
  end
  return remembered
end

local function save()
  local file = M.state_file()
  vim.fn.mkdir(vim.fs.dirname(file), "p")
  local tmp = file .. ".tmp"
  local fd = assert(io.open(tmp, "w"))
  fd:write(vim.json.encode({ version = 1, folders = load() }))
  fd:close()
  assert(vim.uv.fs_rename(tmp, file))
end

--- The remembered verdict for a folder: true, false, or nil when never answered.
---@param folder string
---@return boolean|nil
function M.get(folder)
  return load()[M.realpath(folder)]
end

--- The value to send as initializationOptions.trusted (nil: send none).
---@param folder string
---@return boolean|nil
function M.verdict(folder)
  local rp = M.realpath(folder)
  local v = load()[rp]
  if v ~= nil then
    return v
  end
  if session[rp] ~= nil then
    return session[rp]
  end
  if require("intentls.config").get().ask_trust then
    return false
  end
  return nil
end

--- Calls `done` once the folder has a verdict, asking the person first if needed.
---@param folder string
---@param done fun()
function M.ensure(folder, done)
  local rp = M.realpath(folder)
  if not require("intentls.config").get().ask_trust or load()[rp] ~= nil or session[rp] ~= nil then
    done()
    return
  end
  if pending[rp] then
    table.insert(pending[rp], done)
    return
  end
  pending[rp] = { done }
  local choices = {
    { label = "Trust this folder: intentls may run its commands", trusted = true, remember = true },
    { label = "Do not trust this folder", trusted = false, remember = true },
    { label = "Not now (ask again next time)", trusted = false, remember = false },
  }
  vim.schedule(function()
    vim.ui.select(choices, {
      prompt = ("intentls: trust %s? An untrusted folder's commands are never run."):format(
        vim.fn.fnamemodify(rp, ":~")
      ),
      format_item = function(c)
        return c.label
      end,
      kind = "intentls.trust",
    }, function(choice)
      choice = choice or choices[3]
      if choice.remember then
        load()[rp] = choice.trusted
        save()
      else
        session[rp] = choice.trusted
      end
      local waiting = pending[rp] or {}
      pending[rp] = nil
      for _, cb in ipairs(waiting) do
        cb()
      end
    end)
  end)
end

--- Records a new verdict and tells the running clients of that folder (intentls/setTrust).
---@param folder string
---@param trusted boolean
function M.set(folder, trusted)
  local rp = M.realpath(folder)
  load()[rp] = trusted
  session[rp] = nil
  save()
  for _, client in ipairs(vim.lsp.get_clients({ name = constants.CLIENT_NAME })) do
    if client.root_dir and M.realpath(client.root_dir) == rp then
      client:notify(constants.notif.set_trust, { trusted = trusted, folder = vim.uri_from_fname(rp) })
    end
  end
end

--- Forgets the verdict for a folder, so the next start asks again.
---@param folder string
function M.forget(folder)
  local rp = M.realpath(folder)
  load()[rp] = nil
  session[rp] = nil
  save()
end

--- For tests: drop the in-memory copy so the state file is read again.
function M._reset()
  remembered = nil
  session = {}
  pending = {}
end

return M
