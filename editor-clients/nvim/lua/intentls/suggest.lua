-- Suggestions: :IntentSuggest through vim.ui.select, and the likely next step in a finished
-- run's message. Code actions of kind intentls.suggest reach vim.lsp.buf.code_action() from
-- the server as they are. Nothing here runs anything unless the person picks it.
local constants = require("intentls.constants")

local M = {}

--- The one unasked suggestion of a finished run, as a line for its message; nil without one,
--- and nil while the person is typing (insert or replace mode).
---@param result table RunResult
---@return string|nil
function M.next_line(result)
  local s = type(result.suggestions) == "table" and result.suggestions[1] or nil
  if type(s) ~= "table" or not s.title then
    return nil
  end
  local mode = vim.api.nvim_get_mode().mode
  if mode:sub(1, 1) == "i" or mode:sub(1, 1) == "R" then
    return nil
  end
  return ("next: %s (%s) · :IntentSuggest"):format(s.title, s.reason or "")
end

---@param s table Suggestion
---@return string
function M.format(s)
  return ("%s — %s (%d%%)"):format(s.title or "?", s.reason or "", math.floor((s.confidence or 0) * 100 + 0.5))
end

--- Asks the server what to run next here and offers it with vim.ui.select.
function M.pick()
  local run = require("intentls.run")
  local bufnr = vim.api.nvim_get_current_buf()
  local name = vim.api.nvim_buf_get_name(bufnr)
  require("intentls.server").with_client(function(client)
    local where = name ~= "" and { uri = vim.uri_from_fname(name) } or { cwd = client.root_dir }
    run.execute(client, constants.cmd.suggest, { where }, {
      bufnr = bufnr,
      on_result = function(found)
        if type(found) ~= "table" or #found == 0 then
          vim.notify("intentls: nothing to suggest yet", vim.log.levels.INFO, { title = "intentls" })
          return
        end
        vim.ui.select(found, {
          prompt = "intentls: run next",
          format_item = M.format,
          kind = "intentls.suggest",
        }, function(choice)
          if choice and type(choice.command) == "table" then
            run.execute_command(client, choice.command)
          end
        end)
      end,
    })
  end)
end

return M
