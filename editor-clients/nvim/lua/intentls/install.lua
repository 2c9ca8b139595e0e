-- The server in the plugin's own environment: one step for a lazy.nvim user (`build`) or
-- `:IntentInstall`. A virtual environment under stdpath("data")/intentls/venv gets the server
-- from the repository the plugin was loaded from, so plugin and server are the same version and
-- nothing is installed into the person's own Python.
local M = {}

M.MIN_PYTHON = { 3, 11 }

---@return string
function M.venv()
  return vim.fs.joinpath(vim.fn.stdpath("data"), "intentls", "venv")
end

--- The installed server's executable (it may not exist yet).
---@return string
function M.server()
  return vim.fs.joinpath(M.venv(), "bin", "intentls")
end

---@return boolean
function M.installed()
  return vim.fn.executable(M.server()) == 1
end

--- The repository the plugin lives in (the folder with the server's pyproject.toml), or nil.
---@return string|nil
function M.source()
  local here = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p")
  -- …/editor-clients/nvim/lua/intentls/install.lua → the repository, five levels up.
  local root = vim.fs.normalize(vim.fn.fnamemodify(here, ":h:h:h:h:h"))
  if vim.uv.fs_stat(vim.fs.joinpath(root, "pyproject.toml")) then
    return root
  end
  return nil
end

--- `python`'s version as {major, minor}, or nil when it does not run.
---@param python string
---@return integer[]|nil
local function version_of(python)
  if vim.fn.executable(python) ~= 1 then
    return nil
  end
  local res = vim.system({ python, "-c", "import sys; print(*sys.version_info[:2])" }, { text = true }):wait(20000)
  if res.code ~= 0 then
    return nil
  end
  local major, minor = (res.stdout or ""):match("(%d+) (%d+)")
  return major and { tonumber(major), tonumber(minor) } or nil
end

--- The first interpreter new enough to run the server, or nil and what was found.
---@param candidates? string[] default: g:python3_host_prog, python3, python
---@return string|nil python
---@return string|nil err
function M.find_python(candidates)
  candidates = candidates or { vim.g.python3_host_prog, "python3", "python" }
  local seen = {}
  for _, python in ipairs(vim.tbl_filter(function(p)
    return type(p) == "string" and p ~= ""
  end, candidates)) do
    local v = version_of(python)
    if v and (v[1] > M.MIN_PYTHON[1] or (v[1] == M.MIN_PYTHON[1] and v[2] >= M.MIN_PYTHON[2])) then
      return python
    elseif v then
      table.insert(seen, ("%s is Python %d.%d"):format(python, v[1], v[2]))
    end
  end
  local wanted = ("Python %d.%d or newer"):format(M.MIN_PYTHON[1], M.MIN_PYTHON[2])
  if #seen > 0 then
    return nil, ("the server needs %s; %s"):format(wanted, table.concat(seen, ", "))
  end
  return nil, ("the server needs %s, and none was found (tried %s)"):format(wanted, table.concat(candidates, ", "))
end

---@param cmd string[]
---@return boolean ok
---@return string output
local function run(cmd)
  local res = vim.system(cmd, { text = true }):wait(600000)
  local output = vim.trim((res.stderr or "") .. (res.stdout or ""))
  return res.code == 0, output
end

--- Installs (or updates) the server into the plugin's environment; blocks until done.
--- Raises an error saying what is missing when it cannot: lazy.nvim shows a build's error.
---@param opts? {python?: string, source?: string, notify?: fun(msg: string)}
---@return string server the installed executable
function M.build(opts)
  opts = opts or {}
  local say = opts.notify or function(msg)
    vim.notify("intentls: " .. msg, vim.log.levels.INFO)
  end
  local source = opts.source or M.source()
  if not source then
    error("intentls: the plugin is not inside a checkout of the intentls repository (no pyproject.toml)", 0)
  end
  local python, err = M.find_python(opts.python and { opts.python } or nil)
  if not python then
    error("intentls: " .. err .. ". Install a newer Python, or set g:python3_host_prog.", 0)
  end
  local venv = M.venv()
  if vim.fn.executable(vim.fs.joinpath(venv, "bin", "python")) ~= 1 then
    say(("creating %s with %s"):format(venv, python))
    vim.fn.mkdir(vim.fs.dirname(venv), "p")
    local ok, out = run({ python, "-m", "venv", venv })
    if not ok then
      error("intentls: could not create " .. venv .. ": " .. out, 0)
    end
  end
  say("installing the server from " .. source .. " (a minute the first time)")
  local pip = { vim.fs.joinpath(venv, "bin", "python"), "-m", "pip", "install", "--quiet", "--upgrade" }
  local ok, out = run(vim.list_extend(pip, { source }))
  if not ok or not M.installed() then
    error("intentls: pip could not install the server: " .. out, 0)
  end
  say("server installed: " .. M.server())
  return M.server()
end

return M
