-- A server command's answer shown as lines in a scratch buffer below the current window: what
-- :IntentExplain and :IntentStats share.
local M = {}

--- Appends a titled section of `items` (each through `fmt`) to `lines`; nothing when empty.
---@param lines string[]
---@param title string
---@param items? table[]
---@param fmt fun(item: any): string
function M.section(lines, title, items, fmt)
  if items and #items > 0 then
    table.insert(lines, "")
    table.insert(lines, title)
    for _, item in ipairs(items) do
      table.insert(lines, "  " .. fmt(item))
    end
  end
end

---@class intentls.Report
---@field command string the server command
---@field args fun(client: vim.lsp.Client): table its argument object
---@field lines fun(answer: table): string[]
---@field filetype string
---@field event string the User autocommand fired with the answer once shown
---@field name? fun(answer: table): string the buffer's name

--- Sends the report's command to the folder's server and shows the answer.
---@param report intentls.Report
function M.show(report)
  require("intentls.server").with_client(function(client)
    if not require("intentls.run").supported(client, report.command) then
      return
    end
    local params = { command = report.command, arguments = { report.args(client) } }
    client:request("workspace/executeCommand", params, function(err, answer)
      if err then
        vim.notify("intentls: " .. (err.message or vim.inspect(err)), vim.log.levels.WARN, { title = "intentls" })
        return
      end
      local buf = vim.api.nvim_create_buf(false, true)
      vim.bo[buf].bufhidden = "wipe"
      vim.api.nvim_buf_set_lines(buf, 0, -1, false, report.lines(answer))
      vim.bo[buf].modifiable = false
      vim.bo[buf].filetype = report.filetype
      if report.name then
        pcall(vim.api.nvim_buf_set_name, buf, report.name(answer))
      end
      vim.cmd("botright split")
      vim.api.nvim_win_set_buf(0, buf)
      vim.api.nvim_exec_autocmds("User", { pattern = report.event, modeline = false, data = answer })
    end)
  end)
end

return M
