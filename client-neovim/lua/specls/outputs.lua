--- Attaches specls to generated files: those listed in the `outputs` of the
--- server's `specls/status` notification and, before any client runs, those
--- named in the `units.*.outputs` of the `spec.lock` at the workspace root.
local specls = require('specls')

local M = {}

---@type table<integer, table<string, true>> client id -> set of canonical paths
M.by_client = {}

--- Canonical absolute path (symlinks resolved) for comparing file names.
---@param path string
---@return string
local function canon(path)
  path = vim.fs.normalize(vim.fn.fnamemodify(path, ':p'))
  local real = vim.uv.fs_realpath(path)
  if real then
    return vim.fs.normalize(real)
  end
  -- A missing output: resolve its directory instead.
  local dir = vim.uv.fs_realpath(vim.fs.dirname(path))
  return dir and vim.fs.joinpath(vim.fs.normalize(dir), vim.fs.basename(path)) or path
end
M.canon = canon

---@param bufnr integer
---@return string?
local function buf_path(bufnr)
  if not vim.api.nvim_buf_is_valid(bufnr) or vim.bo[bufnr].buftype ~= '' then
    return nil
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' or name:match('^%a[%w+.-]*://') then
    return nil
  end
  return canon(name)
end

---@param bufnr integer
---@param client_id integer
local function attach(bufnr, client_id)
  if vim.api.nvim_buf_is_loaded(bufnr) and not vim.lsp.buf_is_attached(bufnr, client_id) then
    vim.lsp.buf_attach_client(bufnr, client_id)
  end
end

--- Lock files decoded, keyed by path, invalidated by mtime and size.
---@type table<string, {mtime: integer, size: integer, outputs: table<string, true>}>
local lock_cache = {}

--- The set of output paths (absolute, canonical) a `spec.lock` names.
---@param root string
---@return table<string, true>
function M.lock_outputs(root)
  local path = vim.fs.joinpath(root, 'spec.lock')
  local stat = vim.uv.fs_stat(path)
  if not stat then
    return {}
  end
  local cached = lock_cache[path]
  if cached and cached.mtime == stat.mtime.sec * 1e9 + stat.mtime.nsec and cached.size == stat.size then
    return cached.outputs
  end
  local outputs = {}
  local fd = io.open(path, 'r')
  if fd then
    local text = fd:read('*a')
    fd:close()
    local ok, lock = pcall(vim.json.decode, text, { luanil = { object = true, array = true } })
    if ok and type(lock) == 'table' and type(lock.units) == 'table' then
      local base = canon(root)
      for _, unit in pairs(lock.units) do
        if type(unit) == 'table' and type(unit.outputs) == 'table' then
          for key in pairs(unit.outputs) do
            local rel = tostring(key):gsub('#.*$', '')
            outputs[vim.fs.normalize(vim.fs.joinpath(base, rel))] = true
          end
        end
      end
    end
  end
  lock_cache[path] = { mtime = stat.mtime.sec * 1e9 + stat.mtime.nsec, size = stat.size, outputs = outputs }
  return outputs
end

--- Attach `bufnr` to a running specls client that lists it as an output, or
--- start one for the workspace whose `spec.lock` names it.
---@param bufnr integer
function M.maybe_attach(bufnr)
  local path = buf_path(bufnr)
  if not path or vim.bo[bufnr].filetype == 'markdown' then
    return -- markdown buffers are handled by vim.lsp.enable() itself
  end
  for client_id, set in pairs(M.by_client) do
    if set[path] then
      if vim.lsp.get_client_by_id(client_id) then
        attach(bufnr, client_id)
        return
      end
      M.by_client[client_id] = nil
    end
  end
  if not vim.lsp.is_enabled(specls.name) then
    return
  end
  local root = vim.fs.root(path, 'spec.lock')
  if not root or not M.lock_outputs(root)[path] then
    return
  end
  local config = vim.deepcopy(vim.lsp.config[specls.name])
  if not config or not config.cmd then
    return
  end
  config.root_dir = root
  vim.lsp.start(config, { bufnr = bufnr, reuse_client = config.reuse_client, silent = true })
end

--- Handler for the `specls/status` notification (docs/protocol.md).
---@param params {root: string?, counts: table?, outputs: string[]?, busy: boolean?}
---@param ctx lsp.HandlerContext
function M.on_status(_, params, ctx)
  if type(params) ~= 'table' then
    return
  end
  local client_id = ctx.client_id
  specls.status[client_id] = params
  local set = {}
  for _, uri in ipairs(type(params.outputs) == 'table' and params.outputs or {}) do
    local ok, fname = pcall(vim.uri_to_fname, uri)
    if ok then
      set[canon(fname)] = true
    end
  end
  M.by_client[client_id] = set
  vim.schedule(function()
    if not vim.lsp.get_client_by_id(client_id) then
      return
    end
    for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
      local path = buf_path(bufnr)
      if path and set[path] then
        attach(bufnr, client_id)
      end
    end
    vim.cmd.redrawstatus({ bang = true, mods = { emsg_silent = true } })
    vim.api.nvim_exec_autocmds('User', {
      pattern = 'SpeclsStatus',
      modeline = false,
      data = { client_id = client_id, status = params },
    })
  end)
end

--- Forget a client that stopped.
---@param client_id integer
function M.forget(client_id)
  M.by_client[client_id] = nil
  specls.status[client_id] = nil
end

return M
