-- Names fixed by the intentls protocol (shared/PROTOCOL.md), in one place.
local M = {}

--- The LSP client's name (vim.lsp.config / vim.lsp.get_clients).
M.CLIENT_NAME = "intentls"

--- `workspace/executeCommand` command ids.
M.cmd = {
  run = "intentls.run",
  plan = "intentls.plan",
  list = "intentls.list",
  cancel = "intentls.cancel",
  history = "intentls.history",
  stats = "intentls.stats",
  undo = "intentls.undo",
  redo = "intentls.redo",
  checkpoint = "intentls.checkpoint",
  checkpoints = "intentls.checkpoints",
  rollback = "intentls.rollback",
  suggest = "intentls.suggest",
  feedback = "intentls.feedback",
  explain = "intentls.explain",
  runOutput = "intentls.runOutput",
  output = "intentls.output",
}

--- Notifications.
M.notif = {
  output = "intentls/output",
  run_started = "intentls/runStarted",
  run_finished = "intentls/runFinished",
  set_trust = "intentls/setTrust",
}

--- Prefix of the workDoneTokens this plugin creates.
M.TOKEN_PREFIX = "intentls.nvim/"

return M
