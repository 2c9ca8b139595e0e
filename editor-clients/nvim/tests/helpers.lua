-- A tiny test harness for headless Neovim: tests register with T.test, wait on real
-- conditions with T.wait (vim.wait with a predicate, never a sleep), and skip with T.skip.
local T = {}

T.root = vim.fs.dirname(vim.fs.dirname(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p")))
T.tests = {}
---@type {msg: string, level: integer}[]
T.notes = {}
---@type table[] every vim.ui.select call: {items, opts, labels}
T.selects = {}
---@type table[] LspProgress events of intentls
T.progress = {}
---@type table[] intentls RunResults from the User IntentlsRunFinished event
T.finished = {}
---@type table[] runStarted params
T.started = {}

local SKIP = {}

--- Writes a line to stdout (print() in `nvim -l` puts its newline first).
---@param s string
function T.log(s)
  io.stdout:write(s, "\n")
  io.stdout:flush()
end

local tmp_root = os.getenv("INTENTLS_TEST_TMP") or vim.fn.tempname()

---@param name string
---@param fn fun()
function T.test(name, fn)
  table.insert(T.tests, { name = name, fn = fn })
end

---@param reason string
function T.skip(reason)
  error({ [SKIP] = reason }, 0)
end

---@param cond any
---@param msg string
function T.ok(cond, msg)
  if not cond then
    error(msg, 2)
  end
end

function T.eq(want, got, what)
  if not vim.deep_equal(want, got) then
    error(("%s: expected %s, got %s"):format(what or "value", vim.inspect(want), vim.inspect(got)), 2)
  end
end

--- Waits until `pred` is true, processing events; fails with `what` after `ms`.
---@param ms integer
---@param pred fun(): any
---@param what string
function T.wait(ms, pred, what)
  local ok = vim.wait(ms, function()
    return pred() and true or false
  end, 10)
  if not ok then
    error("timed out waiting for " .. what, 2)
  end
end

--- A fresh workspace folder holding `files` (name -> content); returns its real path.
---@param files table<string, string>
---@return string
function T.workspace(files)
  local dir = vim.fs.joinpath(tmp_root, "ws", tostring(vim.uv.hrtime()))
  vim.fn.mkdir(dir, "p")
  for name, content in pairs(files) do
    local path = vim.fs.joinpath(dir, name)
    vim.fn.mkdir(vim.fs.dirname(path), "p")
    local fd = assert(io.open(path, "w"))
    fd:write(content)
    fd:close()
  end
  return assert(vim.uv.fs_realpath(dir))
end

---@param path string
---@return string
function T.read(path)
  local fd = assert(io.open(path, "r"))
  local s = fd:read("*a")
  fd:close()
  return s
end

--- Stubs vim.ui.select: `choose(items, opts, labels)` returns the index to pick (nil cancels).
---@param choose fun(items: table[], opts: table, labels: string[]): integer|nil
function T.stub_select(choose)
  vim.ui.select = function(items, opts, on_choice)
    local labels = {}
    for i, item in ipairs(items) do
      labels[i] = opts.format_item and opts.format_item(item) or tostring(item)
    end
    table.insert(T.selects, { items = items, opts = opts, labels = labels })
    T.log(("# select [%s] %s: %s"):format(opts.kind or "", opts.prompt or "", table.concat(labels, " | ")))
    local i = choose(items, opts, labels)
    vim.schedule(function()
      on_choice(i and items[i] or nil, i)
    end)
  end
end

--- A chooser picking the first label containing `text` (plain).
---@param text string
function T.pick_label(text)
  return function(_, _, labels)
    for i, l in ipairs(labels) do
      if l:find(text, 1, true) then
        return i
      end
    end
  end
end

--- Picks per prompt kind: `by_kind[opts.kind]` is a label text to pick.
---@param by_kind table<string, string>
function T.stub_select_by_kind(by_kind)
  T.stub_select(function(items, opts, labels)
    local text = by_kind[opts.kind or ""]
    if text then
      return T.pick_label(text)(items, opts, labels)
    end
  end)
end

--- The intentls client attached to a buffer, once it is initialized.
---@param bufnr integer
---@return vim.lsp.Client
function T.client_of(bufnr)
  local client
  T.wait(20000, function()
    client = vim.lsp.get_clients({ bufnr = bufnr, name = "intentls" })[1]
    return client and client.initialized
  end, "the intentls client to attach to buffer " .. vim.api.nvim_buf_get_name(bufnr))
  return client
end

--- Opens a file and returns its buffer.
---@param path string
---@return integer
function T.edit(path)
  vim.cmd.edit(vim.fn.fnameescape(path))
  return vim.api.nvim_get_current_buf()
end

--- The finished run whose intent is `intent` after index `after`.
---@param intent string
---@param after? integer
function T.wait_finished(intent, after)
  local found
  T.wait(30000, function()
    for i = (after or 0) + 1, #T.finished do
      if T.finished[i].intent == intent then
        found = T.finished[i]
        return true
      end
    end
  end, "intentls/runFinished of " .. intent)
  return found
end

--- Runs the Ex `command` and returns the data of the User `event` it fires (waits for it).
---@param command string
---@param event string
---@param what string
---@return table
function T.shown_by(command, event, what)
  local shown
  vim.api.nvim_create_autocmd("User", {
    pattern = event,
    once = true,
    callback = function(args)
      shown = args.data
    end,
  })
  vim.cmd(command)
  T.wait(15000, function()
    return shown
  end, what)
  return shown
end

---@param pattern string
---@param level? integer
---@return string|nil
function T.find_note(pattern, level)
  for _, n in ipairs(T.notes) do
    if n.msg:find(pattern) and (not level or n.level == level) then
      return n.msg
    end
  end
end

---@param bufnr integer
---@return string
function T.buf_text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n")
end

function T.setup_env()
  vim.opt.rtp:prepend(T.root)
  vim.o.swapfile = false
  vim.o.shortmess = vim.o.shortmess .. "AI"
  vim.cmd("filetype on")
  vim.notify = function(msg, level)
    table.insert(T.notes, { msg = tostring(msg), level = level or vim.log.levels.INFO })
    T.log(("# notify[%s] %s"):format(level or vim.log.levels.INFO, tostring(msg):gsub("\n", "\n#   ")))
  end
  vim.api.nvim_create_autocmd("LspProgress", {
    callback = function(args)
      local client = vim.lsp.get_client_by_id(args.data.client_id)
      if client and client.name == "intentls" then
        table.insert(T.progress, args.data.params)
      end
    end,
  })
  vim.api.nvim_create_autocmd("User", {
    pattern = "IntentlsRunFinished",
    callback = function(args)
      table.insert(T.finished, args.data)
    end,
  })
  vim.api.nvim_create_autocmd("User", {
    pattern = "IntentlsRunStarted",
    callback = function(args)
      table.insert(T.started, args.data)
    end,
  })
end

--- Runs the registered tests; prints one line each and a summary; returns the failure count.
---@return integer passed, integer failed, integer skipped
function T.run_all(file)
  local passed, failed, skipped = 0, 0, 0
  for _, t in ipairs(T.tests) do
    local ok, err = xpcall(t.fn, function(e)
      if type(e) == "table" and e[SKIP] then
        return e
      end
      return debug.traceback(tostring(e), 2)
    end)
    if ok then
      passed = passed + 1
      T.log(("ok - %s: %s"):format(file, t.name))
    elseif type(err) == "table" and err[SKIP] then
      skipped = skipped + 1
      T.log(("skip - %s: %s (%s)"):format(file, t.name, err[SKIP]))
    else
      failed = failed + 1
      T.log(("not ok - %s: %s\n%s"):format(file, t.name, tostring(err)))
    end
  end
  return passed, failed, skipped
end

return T
