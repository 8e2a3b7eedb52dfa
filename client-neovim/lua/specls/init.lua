--- specls for Neovim: state shared by the commands, the output tracker and the statusline.
local M = {}

M.name = 'specls'

--- Last `specls/status` notification per client id:
--- `{ root = uri, counts = {stale = n, …}, outputs = {uri…}, busy = bool }`.
---@type table<integer, table>
M.status = {}

--- specls clients attached to `bufnr`, or all of them when `bufnr` is nil.
---@param bufnr integer?
---@return vim.lsp.Client[]
function M.clients(bufnr)
  return vim.lsp.get_clients({ name = M.name, bufnr = bufnr })
end

--- The specls client for `bufnr`: the one attached to it, else the one whose
--- root contains the file, else the only one running.
---@param bufnr integer?
---@return vim.lsp.Client?
function M.client(bufnr)
  if not bufnr or bufnr == 0 then
    bufnr = vim.api.nvim_get_current_buf()
  end
  local attached = M.clients(bufnr)
  if attached[1] then
    return attached[1]
  end
  local all = M.clients()
  local name = vim.api.nvim_buf_get_name(bufnr)
  for _, client in ipairs(all) do
    if client.root_dir and name ~= '' and vim.fs.relpath(client.root_dir, name) then
      return client
    end
  end
  return #all == 1 and all[1] or nil
end

local STATUS_ORDER = { 'stale', 'edited', 'missing', 'ungenerated', 'orphan', 'conflict' }

--- A statusline component: `specls: 2 stale, 1 edited`, `specls: <progress>` while
--- regenerating, `specls: ok` when every output is fresh, '' without a client.
---@param bufnr integer?
---@return string
function M.statusline(bufnr)
  local client = M.client(bufnr)
  if not client then
    return ''
  end
  local progress = require('specls.progress').message(client.id)
  if progress then
    return 'specls: ' .. progress
  end
  local st = M.status[client.id]
  if not st then
    return 'specls'
  end
  if st.busy then
    return 'specls: busy'
  end
  local parts = {}
  for _, key in ipairs(STATUS_ORDER) do
    local n = (st.counts or {})[key]
    if type(n) == 'number' and n > 0 then
      parts[#parts + 1] = ('%d %s'):format(n, key)
    end
  end
  return 'specls: ' .. (#parts > 0 and table.concat(parts, ', ') or 'ok')
end

--- Runs a specls `workspace/executeCommand` with the single-object argument
--- shape of docs/protocol.md. `on_result(err, result, ctx)` is called on the
--- main loop; a `User SpeclsCommand` autocmd fires after it with
--- `data = {command, err, result}` (for statuslines, tests and scripts).
---@param client vim.lsp.Client
---@param command string e.g. 'specls.regenerate'
---@param argument table
---@param on_result? fun(err: lsp.ResponseError?, result: any, ctx: lsp.HandlerContext)
---@param bufnr? integer
function M.exec(client, command, argument, on_result, bufnr)
  local arg = next(argument) == nil and vim.empty_dict() or argument
  client:exec_cmd({ title = command, command = command, arguments = { arg } }, { bufnr = bufnr }, function(err, result, ctx)
    if on_result then
      local ok, msg = pcall(on_result, err, result, ctx)
      if not ok then
        vim.notify('specls: ' .. tostring(msg), vim.log.levels.ERROR)
      end
    end
    vim.api.nvim_exec_autocmds('User', {
      pattern = 'SpeclsCommand',
      modeline = false,
      data = { command = command, err = err, result = result },
    })
  end)
end

--- Called from the LspAttach autocmd for specls clients.
---@param client vim.lsp.Client
---@param bufnr integer
function M.on_attach(client, bufnr)
  if client.name ~= M.name then
    return
  end
  if vim.bo[bufnr].filetype == 'markdown' then
    require('specls.highlight').start(bufnr)
  end
  if vim.g.specls_codelens ~= false and client:supports_method('textDocument/codeLens') then
    M.codelens(bufnr)
  end
end

--- A requirement's code lens ("3 tasks · 2 files"): its references in the quickfix list.
--- The arguments are those of VS Code's `editor.action.showReferences`, in LSP form.
vim.lsp.commands['specls.showReferences'] = function(command)
  local locations = (command.arguments or {})[3] or {}
  if #locations == 0 then
    vim.notify('specls: no references', vim.log.levels.INFO)
    return
  end
  vim.fn.setqflist({}, ' ', { title = 'specls references', items = vim.lsp.util.locations_to_items(locations, 'utf-16') })
  vim.cmd('copen')
end

--- Keep the server's code lenses (regenerate, stamp, status of a section)
--- fresh: Neovim 0.11 shows them only after `vim.lsp.codelens.refresh()`.
--- Run one with `:lua vim.lsp.codelens.run()`.
---@param bufnr integer
function M.codelens(bufnr)
  local group = vim.api.nvim_create_augroup('specls.codelens.' .. bufnr, { clear = true })
  local function refresh()
    if vim.api.nvim_buf_is_loaded(bufnr) and #M.clients(bufnr) > 0 then
      vim.lsp.codelens.refresh({ bufnr = bufnr })
    end
  end
  vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave' }, { group = group, buffer = bufnr, callback = refresh })
  vim.api.nvim_create_autocmd('User', {
    group = group,
    pattern = 'SpeclsStatus',
    callback = function()
      if not vim.api.nvim_buf_is_valid(bufnr) then
        pcall(vim.api.nvim_del_augroup_by_id, group)
        return true
      end
      refresh()
    end,
  })
  refresh()
end

return M
