-- Drive draftguard from a real LSP client: Neovim (0.7+) headless.
-- Usage: nvim --headless -u NONE -c "set ft=python" -c "luafile neovim_smoke.lua" FILE
-- Env: DRAFTGUARD_CMD (server executable), DRAFTGUARD_OUT (result file).
local out = {}
local function log(s) table.insert(out, s) end
local bufnr = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = "draftguard",
  cmd = { os.getenv("DRAFTGUARD_CMD"), "-m", "draftguard.server" },
  root_dir = vim.fn.getcwd(),
  init_options = { scope = "all" },
})
vim.lsp.buf_attach_client(bufnr, client_id)
local arrived = vim.wait(20000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
log("diagnostics " .. tostring(arrived) .. " " .. #vim.diagnostic.get(bufnr))
local diags = vim.diagnostic.get(bufnr)
table.sort(diags, function(a, b) return a.lnum < b.lnum end)
local d = diags[1]
for _, item in ipairs(diags) do log(string.format("diag %d:%d %s", item.lnum + 1, item.col + 1, item.code or "")) end
local client = vim.lsp.get_client_by_id(client_id)
local uri = vim.uri_from_bufnr(bufnr)
local hover = client.request_sync("textDocument/hover", { textDocument = { uri = uri }, position = { line = d.lnum, character = d.col + 2 } }, 10000, bufnr)
log("hover " .. ((hover and hover.result and hover.result.contents.value) or ""):gsub("\n", " "))
local params = { textDocument = { uri = uri }, range = { start = { line = d.lnum, character = d.col }, ["end"] = { line = d.end_lnum, character = d.end_col } }, context = { diagnostics = {} } }
local actions = client.request_sync("textDocument/codeAction", params, 10000, bufnr).result or {}
for _, a in ipairs(actions) do log("action " .. a.title .. (a.isPreferred and " preferred" or "")) end
local before = #vim.diagnostic.get(bufnr)
local fix = nil
for _, a in ipairs(actions) do if a.isPreferred then fix = a end end
if fix then
  vim.lsp.util.apply_workspace_edit(fix.edit, "utf-16")
  vim.wait(10000, function() return #vim.diagnostic.get(bufnr) < before end, 50)
end
log("after " .. #vim.diagnostic.get(bufnr) .. " before " .. before)
vim.fn.writefile(out, os.getenv("DRAFTGUARD_OUT"))
vim.cmd("qa!")
