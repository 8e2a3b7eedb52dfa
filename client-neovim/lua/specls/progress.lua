--- Regeneration progress. The server reports `$/progress`; Neovim turns each
--- report into an `LspProgress` autocmd (what fidget.nvim & co. and
--- `vim.lsp.status()` in the statusline read). Here we only keep the active
--- tokens (for `:Specls cancel` and the statusline component) and, unless a
--- progress UI is installed or `vim.g.specls_progress_echo = false`, echo them.
local M = {}

---@type table<integer, table<string|integer, {title: string, message: string?, percentage: integer?}>>
M.active = {}

---@param client_id integer
---@return string? message of the most recent active progress
function M.message(client_id)
  local latest
  for _, p in pairs(M.active[client_id] or {}) do
    latest = p
  end
  if not latest then
    return nil
  end
  local text = latest.title
  if latest.message and latest.message ~= '' then
    text = text .. ': ' .. latest.message
  end
  if latest.percentage then
    text = ('%s (%d%%)'):format(text, latest.percentage)
  end
  return text
end

local function echo_enabled()
  if vim.g.specls_progress_echo ~= nil then
    return vim.g.specls_progress_echo == true or vim.g.specls_progress_echo == 1
  end
  return not (package.loaded['fidget'] or package.loaded['noice'])
end

--- `LspProgress` autocmd callback (`ev.data = {client_id, params}`).
function M.on_progress(ev)
  local data = ev.data or {}
  local client = vim.lsp.get_client_by_id(data.client_id or -1)
  if not client or client.name ~= 'specls' then
    return
  end
  local params = data.params or {}
  local value = params.value
  if type(value) ~= 'table' or not value.kind then
    return
  end
  local tokens = M.active[client.id] or {}
  M.active[client.id] = tokens
  local token = params.token
  if value.kind == 'begin' then
    tokens[token] = { title = value.title or 'specls', message = value.message, percentage = value.percentage }
  elseif value.kind == 'report' and tokens[token] then
    tokens[token].message = value.message or tokens[token].message
    tokens[token].percentage = value.percentage or tokens[token].percentage
  end
  local title = tokens[token] and tokens[token].title or value.title or 'specls'
  if value.kind == 'end' then
    tokens[token] = nil
  end
  if echo_enabled() then
    local msg = value.message and value.message ~= '' and (': ' .. value.message) or ''
    local suffix = value.kind == 'end' and ' (done)' or ''
    vim.api.nvim_echo({ { ('specls: %s%s%s'):format(title, msg, suffix) } }, false, {})
  end
  vim.cmd.redrawstatus({ bang = true, mods = { emsg_silent = true } })
end

--- Cancel every running specls operation (`window/workDoneProgress/cancel`).
---@return integer number of operations cancelled
function M.cancel()
  local n = 0
  for client_id, tokens in pairs(M.active) do
    local client = vim.lsp.get_client_by_id(client_id)
    if client then
      for token in pairs(tokens) do
        client:notify('window/workDoneProgress/cancel', { token = token })
        n = n + 1
      end
    end
  end
  return n
end

---@param client_id integer
function M.forget(client_id)
  M.active[client_id] = nil
end

return M
