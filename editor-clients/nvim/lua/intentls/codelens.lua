-- Code lenses of the server ("▶ Run test"), on in every attached buffer.
local M = {}

---@param bufnr integer
function M.attach(bufnr)
  local codelens = vim.lsp.codelens
  if codelens.enable then
    -- Neovim 0.12 refreshes lenses by itself once enabled.
    pcall(codelens.enable, true, { bufnr = bufnr })
    return
  end
  local group = vim.api.nvim_create_augroup("intentls.codelens." .. bufnr, { clear = true })
  local function refresh()
    pcall(codelens.refresh, { bufnr = bufnr })
  end
  vim.api.nvim_create_autocmd({ "BufEnter", "BufWritePost", "InsertLeave", "CursorHold" }, {
    group = group,
    buffer = bufnr,
    callback = refresh,
  })
  refresh()
end

return M
