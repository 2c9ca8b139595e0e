-- Sending commands to the server and handling what comes back: results, blocked runs and
-- their actions, and the intentls/* notifications.
local constants = require("intentls.constants")

local M = {}

---@class intentls.RunState
---@field runId string
---@field intent string
---@field folder? string
---@field client_id integer
---@field token? string|integer
---@field status string
---@field result? table

---@class intentls.State
---@field runs table<string, intentls.RunState> every run seen this session, by M.key()
---@field order string[] keys of the runs in the order they started
---@field offered table<string, boolean> keys of blocked runs whose actions were offered
---@field last_intent table<string, string> the last intent text sent, by workspace root
---@field last_result table|nil the newest RunResult received
M.state = {
  runs = {},
  order = {},
  offered = {},
  last_intent = {},
  last_result = nil,
}

---@type table<string, table> intentls.list results, by client id and folder, for completion
local list_cache = {}

local token_counter = 0

--- The key of a run in M.state: run ids are unique per server, not across servers.
---@param client_id integer|nil
---@param run_id string
---@return string
function M.key(client_id, run_id)
  return tostring(client_id or -1) .. ":" .. tostring(run_id)
end

--- Friendly names of the commands, for messages.
local LABELS = {
  [constants.cmd.run] = "run",
  [constants.cmd.plan] = "plan",
  [constants.cmd.list] = "list",
  [constants.cmd.cancel] = "cancel",
  [constants.cmd.history] = "history",
  [constants.cmd.stats] = "stats",
  [constants.cmd.undo] = "undo",
  [constants.cmd.redo] = "redo",
  [constants.cmd.checkpoint] = "checkpoints",
  [constants.cmd.checkpoints] = "checkpoints",
  [constants.cmd.rollback] = "rollback",
  [constants.cmd.suggest] = "suggestions",
  [constants.cmd.feedback] = "feedback",
}

local ICONS = {
  succeeded = "✓",
  failed = "✗",
  cancelled = "⊘",
  blocked = "⏸",
  interrupted = "!",
  running = "…",
}
M.ICONS = ICONS

---@param msg string
---@param level? integer
local function notify(msg, level)
  vim.notify("intentls: " .. msg, level or vim.log.levels.INFO, { title = "intentls" })
end

---@param pattern string
---@param data table
local function fire(pattern, data)
  vim.api.nvim_exec_autocmds("User", { pattern = pattern, modeline = false, data = data })
end

---@param ms number|nil
---@return string
function M.format_duration(ms)
  if type(ms) ~= "number" then
    return ""
  end
  if ms < 1000 then
    return ("%d ms"):format(ms)
  end
  return ("%.1f s"):format(ms / 1000)
end

---@param uri_or_path string|nil
---@return string|nil
local function to_path(uri_or_path)
  if type(uri_or_path) ~= "string" then
    return nil
  end
  if uri_or_path:match("^file:") then
    return vim.uri_to_fname(uri_or_path)
  end
  return uri_or_path
end

local function checktime()
  if require("intentls.config").get().checktime then
    vim.schedule(function()
      pcall(vim.cmd.checktime)
    end)
  end
end

--- Whether the server advertises `command`; when it does not, says so.
---@param client vim.lsp.Client
---@param command string
---@return boolean
function M.supported(client, command)
  if require("intentls.server").supports(client, command) then
    return true
  end
  notify(
    ("intentls server does not support %s yet (%s is not among its commands)"):format(
      LABELS[command] or command,
      command
    ),
    vim.log.levels.WARN
  )
  return false
end

--- Sends `workspace/executeCommand` with a workDoneToken of the plugin's own, unless the
--- server does not advertise the command. Returns whether the request went out.
---@param client vim.lsp.Client
---@param command string
---@param arguments? table the `arguments` array
---@param opts? {bufnr?: integer, on_result?: fun(result: any), on_error?: fun(err: table), context?: table}
---@return boolean
function M.execute(client, command, arguments, opts)
  opts = opts or {}
  if not M.supported(client, command) then
    return false
  end
  token_counter = token_counter + 1
  local token = constants.TOKEN_PREFIX .. token_counter
  local params = { command = command, arguments = arguments or {}, workDoneToken = token }
  local ok = client:request("workspace/executeCommand", params, function(err, result)
    if err then
      if opts.on_error then
        opts.on_error(err)
      else
        notify(
          ("%s failed: %s"):format(LABELS[command] or command, err.message or vim.inspect(err)),
          vim.log.levels.ERROR
        )
      end
      fire("IntentlsError", { command = command, error = err })
      return
    end
    M.on_result(client, command, params.arguments, result, opts)
  end, opts.bufnr)
  if not ok then
    notify("the server has stopped; :IntentRestart starts it again", vim.log.levels.ERROR)
  end
  return ok
end

--- Executes an LSP Command object (a blocked run's action, a code lens, a code action).
---@param client vim.lsp.Client
---@param command lsp.Command
---@param opts? table
function M.execute_command(client, command, opts)
  return M.execute(client, command.command, command.arguments or {}, opts)
end

---@param client vim.lsp.Client
---@param command string
---@param arguments table
---@param result any
---@param opts table
function M.on_result(client, command, arguments, result, opts)
  local c = constants.cmd
  if command == c.run or command == c.cancel then
    if type(result) == "table" and result.status == "blocked" then
      M.offer_actions(client, result, arguments)
    elseif type(result) == "table" and result.status == "running" then
      notify(("%s runs in the background; :IntentCancel stops it"):format(result.intent or "run"))
    elseif type(result) == "table" then
      M.finish(client, result)
    end
  elseif command == c.undo or command == c.redo or command == c.rollback then
    M.show_undo(client, command, arguments, result)
  elseif command == c.checkpoint and type(result) == "table" then
    notify(("checkpoint %s created"):format(tostring(result.checkpointId)))
  elseif command == c.plan and not opts.on_result then
    M.show_plan(result)
  end
  if opts.on_result then
    opts.on_result(result)
  end
end

--- Offers a blocked run's actions with vim.ui.select and executes the chosen one.
---@param client vim.lsp.Client
---@param result table a RunResult with status "blocked"
---@param arguments table the arguments of the request that was blocked
function M.offer_actions(client, result, arguments)
  if result.runId then
    local key = M.key(client.id, result.runId)
    if M.state.offered[key] then
      return
    end
    M.state.offered[key] = true
  end
  local reasons, untrusted = {}, false
  for _, w in ipairs(result.warnings or {}) do
    table.insert(reasons, w.message or w.kind)
    untrusted = untrusted or w.kind == "untrusted"
  end
  local why = #reasons > 0 and table.concat(reasons, "; ") or "it needs your decision"
  local items = {}
  for _, action in ipairs(result.actions or {}) do
    table.insert(items, { label = action.title, command = action })
  end
  local root = to_path(result.folder) or client.root_dir
  if untrusted and root then
    table.insert(items, { label = "Trust this folder and run again", trust = root })
  end
  fire("IntentlsBlocked", { result = result, items = items })
  if #items == 0 then
    notify(("%s is blocked: %s"):format(result.intent or "run", why), vim.log.levels.WARN)
    return
  end
  vim.ui.select(items, {
    prompt = ("intentls: %s is blocked: %s"):format(result.intent or "run", why),
    format_item = function(item)
      return item.label
    end,
    kind = "intentls.blocked",
  }, function(choice)
    if not choice then
      return
    end
    if choice.trust then
      require("intentls.trust").set(choice.trust, true)
      M.execute(client, constants.cmd.run, arguments)
    else
      M.execute_command(client, choice.command)
    end
  end)
end

--- Records the end of a run (from intentls/runFinished or a reply, whichever comes first).
---@param client vim.lsp.Client|nil
---@param result table RunResult
function M.finish(client, result)
  if type(result) ~= "table" or not result.runId then
    return
  end
  local key = M.key(client and client.id, result.runId)
  local run = M.state.runs[key]
  if run and run.result then
    return -- already seen
  end
  if not run then
    run = {
      runId = result.runId,
      intent = result.intent,
      folder = result.folder,
      client_id = client and client.id or -1,
      status = result.status,
    }
    M.state.runs[key] = run
    table.insert(M.state.order, key)
  end
  run.status = result.status
  run.result = result
  M.state.last_result = result
  if result.status == "blocked" then
    -- reported by runFinished before the reply: the reply's handler offers the actions
    fire("IntentlsRunFinished", result)
    return
  end
  require("intentls.output").finish_run(result)
  if type(result.changedFiles) == "table" and #result.changedFiles > 0 then
    checktime()
  end
  local cfg = require("intentls.config").get()
  local title = result.intent or "run"
  local took = M.format_duration(result.durationMs)
  local next_step = require("intentls.suggest").next_line(result)
  local and_next = next_step and ("\n  " .. next_step) or ""
  if result.status == "failed" or result.status == "interrupted" then
    local lines = { ("%s %s %s (%s)"):format(ICONS[result.status], title, result.status, took) }
    for _, step in ipairs(result.steps or {}) do
      if step.status == "failed" then
        local detail = step.error and step.error.message
          or (step.exitCode and ("exit code " .. step.exitCode))
          or ""
        table.insert(lines, ("  %s: %s"):format(step.title or step.id, detail))
      end
    end
    table.insert(lines, "  :IntentOutput shows the output, :IntentOutput! all of it")
    notify(table.concat(lines, "\n") .. and_next, vim.log.levels.ERROR)
  elseif result.status == "cancelled" then
    notify(("%s %s cancelled"):format(ICONS.cancelled, title), vim.log.levels.WARN)
  elseif next_step or not require("intentls.progress").was_shown(run.client_id, run.token) then
    notify(("%s %s %s (%s)"):format(ICONS[result.status] or "", title, result.status, took) .. and_next)
  end
  local fresh = require("intentls.uptodate").describe(result)
  if fresh then
    notify(fresh)
  end
  if cfg.output.open == "always" or (cfg.output.open == "failure" and result.status == "failed") then
    vim.schedule(function()
      require("intentls.output").show()
    end)
  end
  fire("IntentlsRunFinished", result)
  pcall(vim.cmd.redrawstatus)
end

--- The server restores an open file on disk and through workspace/applyEdit (so the buffer
--- follows and `u` still works): the buffer then equals the disk but is flagged modified,
--- which would stop the next `:checktime` from reloading it. Clear the flag in that case.
---@param restored string[] folder-relative paths
local function settle_restored(restored)
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    local name = vim.api.nvim_buf_get_name(buf)
    if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].modified and name ~= "" then
      for _, rel in ipairs(restored) do
        if name == rel or vim.endswith(name, "/" .. rel) then
          local ok, disk = pcall(vim.fn.readfile, name)
          if ok and vim.deep_equal(disk, vim.api.nvim_buf_get_lines(buf, 0, -1, false)) then
            vim.bo[buf].modified = false
          end
        end
      end
    end
  end
end

---@class intentls.UndoKind
---@field verb string
---@field nothing string the message for status "nothing"
---@field force? {label: string, args: fun(sent: table, result: table): table} how to send it again with `force`

--- How each command that undoes is named, and how it is sent again with `force`.
---@type table<string, intentls.UndoKind>
local UNDO_KINDS = {
  [constants.cmd.undo] = {
    verb = "undo",
    nothing = "nothing to undo",
    force = {
      label = "Undo anyway (the present state is saved first: :IntentRedo brings it back)",
      -- runId: the run that was undone (the newest one when none was named)
      args = function(sent, result)
        return vim.tbl_extend("force", sent, { runId = result.runId, force = true })
      end,
    },
  },
  [constants.cmd.redo] = { verb = "redo", nothing = "nothing to redo" },
  [constants.cmd.rollback] = {
    verb = "rollback",
    nothing = "nothing to roll back: no file changed since the checkpoint",
    force = {
      label = "Roll back anyway (the present state is saved first: :IntentUndo brings it back)",
      -- not runId: a rollback's result names its own run, not the checkpoint
      args = function(sent)
        return vim.tbl_extend("force", sent, { force = true })
      end,
    },
  },
}

--- Forcing cannot help a refusal on "." (a run of the folder is running; docs/protocol.md).
---@param result table UndoResult
---@return boolean
local function force_can_help(result)
  for _, conflict in ipairs(result.conflicts or {}) do
    if conflict.path ~= "." then
      return true
    end
  end
  return false
end

--- After conflicts, offers to send the command again with `force`.
---@param client vim.lsp.Client
---@param command string
---@param sent table the arguments object of the request
---@param result table UndoResult
local function offer_force(client, command, sent, result)
  local force = UNDO_KINDS[command].force
  if not force or not force_can_help(result) then
    return
  end
  local choices = { { label = force.label, force = true }, { label = "Leave the files as they are" } }
  vim.ui.select(choices, {
    prompt = ("intentls: %s %s because of the conflicts above"):format(UNDO_KINDS[command].verb, result.status),
    format_item = function(choice)
      return choice.label
    end,
    kind = "intentls.force",
  }, function(choice)
    if choice and choice.force then
      M.execute(client, command, { force.args(sent, result) })
    end
  end)
end

---@param client vim.lsp.Client
---@param command string intentls.undo, intentls.redo or intentls.rollback
---@param arguments table the `arguments` array of the request
---@param result table|nil UndoResult
function M.show_undo(client, command, arguments, result)
  if type(result) ~= "table" or not UNDO_KINDS[command] then
    return
  end
  local kind = UNDO_KINDS[command]
  local restored = result.restored or {}
  local level = vim.log.levels.INFO
  local msg
  if result.status == "nothing" then
    msg = kind.nothing
  elseif result.status == "refused" then
    level = vim.log.levels.WARN
    msg = ("%s refused"):format(kind.verb)
  else
    local outcome = result.status == "undone" and "done" or result.status
    msg = ("%s %s: %d file(s) restored"):format(kind.verb, outcome, #restored)
  end
  for _, conflict in ipairs(result.conflicts or {}) do
    msg = msg .. ("\n  %s: %s"):format(conflict.path, conflict.reason)
    level = vim.log.levels.WARN
  end
  notify(msg, level)
  if #restored > 0 or result.status == "undone" or result.status == "partial" then
    vim.schedule(function()
      settle_restored(restored)
    end)
    checktime()
  end
  fire("IntentlsUndo", result)
  if #(result.conflicts or {}) > 0 then
    offer_force(client, command, arguments[1] or {}, result)
  end
end

--- How the server read the text (Plan.reading): «a» and «b» then «c»; nil without it.
---@param plan table
---@return string|nil
function M.reading(plan)
  if type(plan.reading) ~= "table" or #plan.reading == 0 then
    return nil
  end
  local stages = {}
  for _, stage in ipairs(plan.reading) do
    local parts = {}
    for _, text in ipairs(stage) do
      table.insert(parts, "«" .. text .. "»")
    end
    table.insert(stages, table.concat(parts, " and "))
  end
  return table.concat(stages, " then ")
end

---@param plan table|nil
function M.show_plan(plan)
  if type(plan) ~= "table" then
    return
  end
  local lines = { ("plan for %s (confidence %.0f%%)"):format(plan.goal or "?", (plan.confidence or 0) * 100) }
  local reading = M.reading(plan)
  if reading then
    table.insert(lines, "  read as: " .. reading)
  end
  for i, step in ipairs(plan.steps or {}) do
    local deps = step.dependsOn and #step.dependsOn > 0
        and (" after " .. table.concat(step.dependsOn, ", "))
      or ""
    local risky = (step.risk or 0) >= 3 and " [risky]" or ""
    table.insert(lines, ("  %d. %s%s%s"):format(i, step.title or step.id, deps, risky))
  end
  for _, w in ipairs(plan.warnings or {}) do
    table.insert(lines, ("  ! %s"):format(w.message or w.kind))
  end
  notify(table.concat(lines, "\n"))
end

--- The handlers of the intentls/* notifications.
---@return table<string, function>
function M.handlers()
  return {
    [constants.notif.output] = function(_, params)
      if type(params) == "table" then
        require("intentls.output").append(params)
      end
    end,
    [constants.notif.run_started] = function(_, params, ctx)
      if type(params) ~= "table" or not params.runId then
        return
      end
      local key = M.key(ctx.client_id, params.runId)
      if not M.state.runs[key] then
        M.state.runs[key] = {
          runId = params.runId,
          intent = params.intent,
          folder = params.folder,
          client_id = ctx.client_id,
          token = params.workDoneToken,
          status = "running",
        }
        table.insert(M.state.order, key)
      end
      require("intentls.output").start_run(params)
      fire("IntentlsRunStarted", params)
    end,
    [constants.notif.run_finished] = function(_, params, ctx)
      M.finish(vim.lsp.get_client_by_id(ctx.client_id), params)
    end,
  }
end

--- Routes the server's commands (code lenses, code actions) through M.execute, so they carry
--- a workDoneToken and their results are handled like the plugin's own commands.
function M.register_lsp_commands()
  for _, name in pairs(constants.cmd) do
    vim.lsp.commands[name] = function(command, ctx)
      local client = vim.lsp.get_client_by_id(ctx.client_id)
      if client then
        M.execute_command(client, command, { bufnr = ctx.bufnr })
      end
    end
  end
end

--- The newest run of a client that has not finished.
---@param client vim.lsp.Client
---@return intentls.RunState|nil
function M.newest_running(client)
  for i = #M.state.order, 1, -1 do
    local run = M.state.runs[M.state.order[i]]
    if run and run.client_id == client.id and run.status == "running" then
      return run
    end
  end
end

--- intentls.list for a client, answered synchronously (for completion), cached.
---@param client vim.lsp.Client
---@return table[]
function M.list_sync(client)
  local key = client.id .. ":" .. (client.root_dir or "")
  if not client.initialized or not require("intentls.server").supports(client, constants.cmd.list) then
    return list_cache[key] or {}
  end
  local resp = client:request_sync("workspace/executeCommand", {
    command = constants.cmd.list,
    arguments = { { cwd = client.root_dir } },
  }, 2000)
  if resp and not resp.err and type(resp.result) == "table" then
    list_cache[key] = resp.result
  end
  return list_cache[key] or {}
end

--- Completion of :Intent: the names of the folder's intents, and `then`/`and` after a word.
---@param arglead string
---@param cmdline string
---@return string[]
function M.complete(arglead, cmdline)
  local args = cmdline:gsub("^%s*%S+!?%s*", "")
  if args:match("^%$") then
    return {} -- raw shell
  end
  local client = require("intentls.server").get_client()
  local out = {}
  local before = args:sub(1, #args - #arglead)
  if before:match("%S") and not before:match("then%s+$") and not before:match("and%s+$") then
    for _, word in ipairs({ "then", "and" }) do
      if vim.startswith(word, arglead) then
        table.insert(out, word)
      end
    end
  end
  if client then
    for _, info in ipairs(M.list_sync(client)) do
      if type(info.name) == "string" and vim.startswith(info.name, arglead) then
        table.insert(out, info.name)
      end
    end
  end
  return out
end

--- Runs intent text in the folder of the current buffer (or of the current directory).
---@param text string
---@param opts? {background?: boolean, dryRun?: boolean, force?: boolean}
function M.run_intent(text, opts)
  opts = opts or {}
  require("intentls.server").with_client(function(client)
    local args = { intent = text, cwd = client.root_dir }
    if opts.background then
      args.background = true
    end
    if opts.force then
      args.force = true
    end
    if client.root_dir then
      M.state.last_intent[client.root_dir] = text
    end
    require("intentls.failures").foresee(client, args, function()
      M.execute(client, constants.cmd.run, { args })
    end)
  end)
end

--- Picks an intent from intentls.list (plus free text) and runs it.
---@param opts? {background?: boolean}
function M.pick(opts)
  require("intentls.server").with_client(function(client)
    M.execute(client, constants.cmd.list, { { cwd = client.root_dir } }, {
      on_result = function(list)
        local items = {}
        for _, info in ipairs(type(list) == "table" and list or {}) do
          table.insert(items, { name = info.name, info = info })
        end
        table.insert(items, { free = true })
        vim.ui.select(items, {
          prompt = "intentls: run which intent?",
          format_item = function(item)
            if item.free then
              return "Type an intent…"
            end
            local info = item.info
            local title = info.title and info.title ~= info.name and (" — " .. info.title) or ""
            return ("%s%s [%s]"):format(info.name, title, info.source or "?")
          end,
          kind = "intentls.intent",
        }, function(choice)
          if not choice then
            return
          end
          if choice.free then
            vim.ui.input({ prompt = "Intent: " }, function(text)
              if text and text:match("%S") then
                M.run_intent(text, opts)
              end
            end)
          else
            M.run_intent(choice.name, opts)
          end
        end)
      end,
    })
  end)
end

--- Runs the last intent again: this session's, else the newest one in history.
function M.run_last()
  require("intentls.server").with_client(function(client)
    local text = client.root_dir and M.state.last_intent[client.root_dir]
    if text then
      M.run_intent(text)
      return
    end
    M.execute(client, constants.cmd.history, { { limit = 1, cwd = client.root_dir } }, {
      on_result = function(list)
        if type(list) == "table" and list[1] and list[1].intent then
          M.run_intent(list[1].intent)
        else
          notify("no intent has run in this folder yet", vim.log.levels.WARN)
        end
      end,
    })
  end)
end

---@param command string a constants.cmd value
---@param args table
---@param opts? table
function M.send(command, args, opts)
  require("intentls.server").with_client(function(client)
    args.cwd = args.cwd or client.root_dir
    M.execute(client, command, { args }, opts)
  end)
end

--- Cancels the newest running run (the server picks it when the plugin knows of none).
function M.cancel()
  require("intentls.server").with_client(function(client)
    local run = M.newest_running(client)
    local args = run and { runId = run.runId } or { cwd = client.root_dir }
    M.execute(client, constants.cmd.cancel, { args })
  end)
end

return M
