-- Starting the server and finding its clients: the one place that (re)starts intentls.
local constants = require("intentls.constants")

local M = {}

---@type table<integer, fun(client: vim.lsp.Client)[]> callbacks waiting for a client's init
local waiting = {}

local INSTALL_HINT = "Install the server into the plugin's own environment with :IntentInstall "
  .. "(lazy.nvim's `build` does it), or `pip install intentls` / `pip install -e .` in its "
  .. "repository so that `intentls` is on PATH, or set `cmd` or `python` in "
  .. "require('intentls').setup({...})."

--- The command that starts the server, or nil and a message saying how to fix it.
---@param cfg intentls.Config
---@return string[]|nil cmd
---@return string|nil err
function M.resolve_cmd(cfg)
  if cfg.cmd then
    if vim.fn.executable(cfg.cmd[1]) == 1 then
      return cfg.cmd
    end
    return nil, ("intentls: `cmd` %s is not executable. %s"):format(cfg.cmd[1], INSTALL_HINT)
  end
  local install = require("intentls.install")
  if install.installed() then
    return { install.server(), "serve" }
  end
  if vim.fn.executable("intentls") == 1 then
    return { "intentls", "serve" }
  end
  local python = cfg.python or vim.g.python3_host_prog or "python3"
  if vim.fn.executable(python) == 1 then
    return { python, "-m", "intentls", "serve" }
  end
  return nil,
    ("intentls: neither `intentls` nor the Python `%s` is executable. %s"):format(python, INSTALL_HINT)
end

---@param path string
---@param dir string
---@return boolean
local function is_under(path, dir)
  return path == dir or vim.startswith(path, dir == "/" and dir or dir .. "/")
end

--- The workspace root for a buffer, or nil when it has none.
---@param bufnr integer
---@return string|nil
function M.find_root(bufnr)
  local cfg = require("intentls.config").get()
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" or name:match("^%a[%w+.-]*://") or vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  local root = vim.fs.root(bufnr, cfg.root_markers)
  if not root and cfg.fallback_to_cwd then
    local cwd = vim.fn.getcwd()
    if is_under(vim.fs.normalize(name), vim.fs.normalize(cwd)) then
      root = cwd
    end
  end
  return root and require("intentls.trust").realpath(root) or nil
end

--- The root for commands run without a workspace buffer: found from the current directory.
---@return string
function M.cwd_root()
  local cfg = require("intentls.config").get()
  local cwd = vim.fn.getcwd()
  local root = vim.fs.root(cwd, cfg.root_markers) or cwd
  return require("intentls.trust").realpath(root)
end

---@param client vim.lsp.Client
local function flush_waiting(client)
  local cbs = waiting[client.id] or {}
  waiting[client.id] = nil
  for _, cb in ipairs(cbs) do
    cb(client)
  end
end

--- The vim.lsp config table of intentls.
---@param cfg intentls.Config
---@return vim.lsp.Config|nil
---@return string|nil err
function M.lsp_config(cfg)
  local cmd, err = M.resolve_cmd(cfg)
  if not cmd then
    return nil, err
  end
  local run = require("intentls.run")
  local init_options = vim.deepcopy(cfg.init_options or {})
  init_options.prompts = nil -- the server must never prompt through Neovim's modal inputlist()
  local user_settings = vim.deepcopy(cfg.settings or {})
  -- An empty Lua table would go out as a JSON array.
  local settings = { intentls = next(user_settings) and user_settings or vim.empty_dict() }
  ---@type vim.lsp.Config
  local conf = {
    name = constants.CLIENT_NAME,
    cmd = cmd,
    filetypes = cfg.filetypes,
    init_options = init_options,
    settings = settings,
    root_dir = function(bufnr, on_dir)
      local root = M.find_root(bufnr)
      if root then
        require("intentls.trust").ensure(root, function()
          on_dir(root)
        end)
      end
    end,
    before_init = function(params, config)
      local opts = vim.deepcopy(params.initializationOptions or {})
      if type(opts) ~= "table" or opts == vim.NIL then
        opts = {}
      end
      if config.root_dir then
        opts.trusted = require("intentls.trust").verdict(config.root_dir)
      end
      opts.prompts = nil
      params.initializationOptions = next(opts) and opts or vim.empty_dict()
    end,
    on_init = function(client)
      flush_waiting(client)
    end,
    on_exit = function(code, signal, client_id)
      waiting[client_id] = nil
      if code ~= 0 and signal == 0 then
        vim.schedule(function()
          vim.notify(
            ("intentls: the server exited with code %d. Run :checkhealth intentls. %s"):format(
              code,
              INSTALL_HINT
            ),
            vim.log.levels.ERROR
          )
        end)
      end
    end,
    handlers = run.handlers(),
  }
  return conf
end

local enabled = false

--- Registers the config and starts attaching to workspace buffers.
---@param cfg intentls.Config
function M.enable(cfg)
  local conf, err = M.lsp_config(cfg)
  if not conf then
    vim.notify(err --[[@as string]], vim.log.levels.ERROR)
    return
  end
  M._conf = conf
  enabled = true
  local group = vim.api.nvim_create_augroup("intentls.attach", { clear = true })
  if vim.lsp.config and vim.lsp.enable then
    vim.lsp.config(constants.CLIENT_NAME, conf)
    vim.lsp.enable(constants.CLIENT_NAME)
    -- vim.lsp.enable acts on FileType, which a file with no filetype never fires.
    vim.api.nvim_create_autocmd({ "BufReadPost", "BufNewFile" }, {
      group = group,
      callback = function(args)
        vim.schedule(function()
          if vim.api.nvim_buf_is_valid(args.buf) and vim.bo[args.buf].filetype == "" then
            M.attach(args.buf)
          end
        end)
      end,
    })
  else
    -- Neovim 0.10: start by hand on every file buffer.
    vim.api.nvim_create_autocmd({ "FileType", "BufReadPost", "BufNewFile" }, {
      group = group,
      callback = function(args)
        M.attach(args.buf)
      end,
    })
  end
  if vim.v.vim_did_enter == 1 then
    for _, buf in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype == "" then
        M.attach(buf)
      end
    end
  end
end

---@return boolean
function M.is_enabled()
  return enabled
end

---@return table
local function base_config()
  if vim.lsp.config and vim.lsp.config[constants.CLIENT_NAME] then
    return vim.deepcopy(vim.lsp.config[constants.CLIENT_NAME])
  end
  return vim.deepcopy(M._conf)
end

--- Starts (or reuses) the client for `root` and calls `cb` once it is initialized.
---@param root string
---@param bufnr integer|nil buffer to attach, nil for none
---@param cb? fun(client: vim.lsp.Client)
function M.start(root, bufnr, cb)
  local conf = base_config()
  if not conf then
    local _, err = M.resolve_cmd(require("intentls.config").get())
    vim.notify(err or "intentls: the server is not configured", vim.log.levels.ERROR)
    return
  end
  require("intentls.trust").ensure(root, function()
    conf.root_dir = root
    local id = vim.lsp.start(conf, { bufnr = bufnr, attach = bufnr ~= nil })
    if not id then
      return
    end
    local client = vim.lsp.get_client_by_id(id)
    if not cb or not client then
      return
    end
    if client.initialized then
      cb(client)
    else
      waiting[id] = waiting[id] or {}
      table.insert(waiting[id], cb)
    end
  end)
end

--- Attaches a buffer of a workspace that vim.lsp.enable does not handle.
---@param bufnr integer
function M.attach(bufnr)
  if vim.bo[bufnr].buftype ~= "" then
    return
  end
  local cfg = require("intentls.config").get()
  if cfg.filetypes and not vim.tbl_contains(cfg.filetypes, vim.bo[bufnr].filetype) then
    return
  end
  if #vim.lsp.get_clients({ bufnr = bufnr, name = constants.CLIENT_NAME }) > 0 then
    return
  end
  local root = M.find_root(bufnr)
  if root then
    M.start(root, bufnr)
  end
end

--- The intentls client of a buffer, else the one whose root holds the current directory.
---@param bufnr? integer
---@return vim.lsp.Client|nil
function M.get_client(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  for _, client in ipairs(vim.lsp.get_clients({ name = constants.CLIENT_NAME, bufnr = bufnr })) do
    if not client:is_stopped() then
      return client
    end
  end
  local cwd = require("intentls.trust").realpath(vim.fn.getcwd())
  local best
  for _, client in ipairs(vim.lsp.get_clients({ name = constants.CLIENT_NAME })) do
    if client.root_dir and not client:is_stopped() and is_under(cwd, client.root_dir) then
      if not best or #client.root_dir > #best.root_dir then
        best = client
      end
    end
  end
  return best
end

--- Calls `cb` with an initialized client for the current buffer or directory, starting one
--- when needed.
---@param cb fun(client: vim.lsp.Client)
function M.with_client(cb)
  if not enabled then
    require("intentls").setup()
  end
  local client = M.get_client()
  if client then
    if client.initialized then
      cb(client)
    else
      waiting[client.id] = waiting[client.id] or {}
      table.insert(waiting[client.id], cb)
    end
    return
  end
  local bufnr = vim.api.nvim_get_current_buf()
  local root = M.find_root(bufnr)
  if root then
    M.start(root, bufnr, cb)
  else
    M.start(M.cwd_root(), nil, cb)
  end
end

--- Whether the server advertises a command.
---@param client vim.lsp.Client
---@param command string
---@return boolean
function M.supports(client, command)
  local provider = client.server_capabilities and client.server_capabilities.executeCommandProvider
  local commands = type(provider) == "table" and provider.commands or {}
  return vim.list_contains(commands, command)
end

--- Stops every intentls client and starts them again for the open buffers.
function M.restart()
  local clients = vim.lsp.get_clients({ name = constants.CLIENT_NAME })
  local use_enable = vim.lsp.enable ~= nil and enabled
  if use_enable then
    vim.lsp.enable(constants.CLIENT_NAME, false)
  end
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
  for _, client in ipairs(clients) do
    if not client:is_stopped() then
      client:stop(true)
    end
  end
  if use_enable then
    vim.lsp.enable(constants.CLIENT_NAME, true)
    if vim.v.vim_did_enter ~= 1 then
      vim.cmd.doautoall("nvim.lsp.enable FileType")
    end
  end
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and (not use_enable or vim.bo[buf].filetype == "") then
      M.attach(buf)
    end
  end
end

return M
