-- :IntentRollback: pick one of the folder's checkpoints, confirm, and roll the folder back to
-- it. The server does the work; its result is shown like an undo's (run.show_undo).
local constants = require("intentls.constants")

local M = {}

---@class intentls.Checkpoint
---@field checkpointId string
---@field name string
---@field folder string a URI
---@field createdAt string ISO 8601, UTC
---@field paths integer how many paths (files, links, directories) it holds

--- Seconds since the epoch of the server's ISO 8601 UTC times ("2025-01-02T10:11:12.345Z").
---@param iso string
---@return integer|nil
local function epoch_of(iso)
  local y, mo, d, h, mi, s = iso:match("^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)")
  if not y then
    return nil
  end
  local fields = { year = y, month = mo, day = d, hour = h, min = mi, sec = s }
  for key, value in pairs(fields) do
    fields[key] = tonumber(value)
  end
  fields.isdst = false
  -- os.time reads the fields as local time: add this zone's offset from UTC.
  local now = os.time()
  return os.time(fields) + os.difftime(now, os.time(os.date("!*t", now)))
end

---@param seconds number
---@return string
local function ago(seconds)
  if seconds < 60 then
    return "just now"
  elseif seconds < 3600 then
    return ("%d min ago"):format(seconds / 60)
  elseif seconds < 86400 then
    return ("%d h ago"):format(seconds / 3600)
  end
  return ("%d d ago"):format(seconds / 86400)
end

--- "before refactor  3 min ago (2025-01-02 11:11)  12 paths"
---@param checkpoint intentls.Checkpoint
---@return string
function M.format(checkpoint)
  local at = type(checkpoint.createdAt) == "string" and epoch_of(checkpoint.createdAt)
  local when = at and ("%s (%s)"):format(ago(math.max(0, os.time() - at)), os.date("%Y-%m-%d %H:%M", at))
    or tostring(checkpoint.createdAt)
  local paths = tonumber(checkpoint.paths) or 0
  return ("%s  %s  %d path%s"):format(checkpoint.name or "?", when, paths, paths == 1 and "" or "s")
end

--- Asks whether to roll back to `checkpoint`; rolls back when the answer is yes.
---@param client vim.lsp.Client
---@param checkpoint intentls.Checkpoint
local function confirm(client, checkpoint)
  local choices = { { label = "Roll back", yes = true }, { label = "Cancel" } }
  vim.ui.select(choices, {
    prompt = ("intentls: roll back «%s»? Files changed since are restored; %s"):format(
      checkpoint.name,
      "the rollback itself can be undone (:IntentUndo)"
    ),
    format_item = function(choice)
      return choice.label
    end,
    kind = "intentls.rollback_confirm",
  }, function(choice)
    if choice and choice.yes then
      require("intentls.run").execute(client, constants.cmd.rollback, { { checkpointId = checkpoint.checkpointId } })
    end
  end)
end

--- Offers the folder's checkpoints (newest first) with vim.ui.select.
---@param client vim.lsp.Client
---@param checkpoints intentls.Checkpoint[]|nil
local function offer(client, checkpoints)
  if type(checkpoints) ~= "table" or #checkpoints == 0 then
    vim.notify(
      "intentls: this folder has no checkpoints yet; :IntentCheckpoint [name] records one to roll back to",
      vim.log.levels.INFO
    )
    return
  end
  vim.ui.select(checkpoints, {
    prompt = "intentls: roll back to which checkpoint? (newest first)",
    format_item = M.format,
    kind = "intentls.checkpoint",
  }, function(checkpoint)
    if checkpoint then
      confirm(client, checkpoint)
    end
  end)
end

--- Picks a checkpoint of the current folder, confirms, rolls back.
function M.pick()
  local run = require("intentls.run")
  require("intentls.server").with_client(function(client)
    -- Both before asking anything: a picker that ends in "not supported" wastes the person's time.
    if not (run.supported(client, constants.cmd.checkpoints) and run.supported(client, constants.cmd.rollback)) then
      return
    end
    run.execute(client, constants.cmd.checkpoints, { { cwd = client.root_dir } }, {
      on_result = function(checkpoints)
        offer(client, checkpoints)
      end,
    })
  end)
end

return M
