--- `:checkhealth specls`
local M = {}

local health = vim.health

local function check_server(config)
  local cmd = type(config.cmd) == 'table' and config.cmd or nil
  if not cmd then
    health.info('`cmd` is a function; not checking the executable')
    return
  end
  local exe = vim.fn.exepath(cmd[1])
  if exe == '' then
    health.error(('`%s` not found on $PATH'):format(cmd[1]), {
      'Install it: `pipx install specls` (or `uv tool install specls`)',
      "Or point the config at it: vim.lsp.config('specls', { cmd = { '/path/to/specls', 'serve' } })",
    })
    return
  end
  health.ok(('server: `%s`'):format(exe))
  local ok, res = pcall(function()
    return vim.system({ exe, '--version' }, { text = true }):wait(10000)
  end)
  if ok and res.code == 0 then
    health.ok(('version: %s'):format(vim.trim((res.stdout or '') .. (res.stderr or ''))))
  else
    health.warn(('`%s --version` failed: %s'):format(exe, ok and vim.trim(res.stderr or '') or tostring(res)))
  end
end

local function check_trust(clients)
  local g, roots = vim.g.specls_trusted, vim.g.specls_trusted_roots
  if g == true then
    health.info('`vim.g.specls_trusted = true`: generators may run in every workspace')
  elseif type(roots) == 'table' and #roots > 0 then
    health.info(('trusted roots (`vim.g.specls_trusted_roots`): %s'):format(table.concat(roots, ', ')))
  else
    health.info('no workspace trusted: only the built-in `tangle` generator runs (set `vim.g.specls_trusted_roots`)')
  end
  for _, client in ipairs(clients) do
    local trusted = vim.tbl_get(client.settings or {}, 'specls', 'trusted')
    health.ok(('client %d (%s): trusted = %s'):format(client.id, client.root_dir or 'no root', tostring(trusted == true)))
  end
end

local function check_treesitter()
  local ok = pcall(vim.treesitter.language.add, 'markdown_inline')
  if not ok then
    health.warn('no markdown_inline tree-sitter parser: directives and IDs are not highlighted')
    return
  end
  local qok, err = pcall(vim.treesitter.query.get, 'markdown_inline', 'highlights')
  local files = vim.api.nvim_get_runtime_file('queries/markdown_inline/highlights.scm', true)
  local ours = vim.tbl_filter(function(f)
    return vim.fn.readfile(f, '', 40)[1] == ';; extends' and table.concat(vim.fn.readfile(f), '\n'):find('specls', 1, true)
  end, files)
  if not qok then
    health.error('markdown_inline highlights query does not parse: ' .. tostring(err))
  elseif #ours == 0 then
    health.warn('specls highlight query not on the runtimepath')
  else
    health.ok('highlight query: ' .. ours[1])
  end
end

function M.check()
  health.start('specls: Neovim')
  if vim.fn.has('nvim-0.11') == 1 then
    health.ok('Neovim ' .. tostring(vim.version()))
  else
    health.error('specls needs Neovim 0.11 or newer (vim.lsp.config / vim.lsp.enable)')
    return
  end

  health.start('specls: server')
  local config = vim.lsp.config.specls
  if not config or not config.cmd then
    health.error('no `specls` LSP config: is client-neovim (with lsp/specls.lua) on the runtimepath?')
    return
  end
  if vim.lsp.is_enabled('specls') then
    health.ok("enabled (vim.lsp.enable('specls'))")
  else
    health.warn("not enabled", { "Add `vim.lsp.enable('specls')` to your config" })
  end
  check_server(config)

  health.start('specls: workspace')
  local clients = require('specls').clients()
  local cwd_root = vim.fs.root(vim.fn.getcwd(), config.root_markers or { 'spec.lock', 'specls.toml', '.git' })
  health.info(('root for the current directory: %s'):format(cwd_root or 'none'))
  if #clients == 0 then
    health.info('no specls client running (open a spec file)')
  end
  for _, client in ipairs(clients) do
    local st = require('specls').status[client.id]
    local counts = {}
    for k, v in vim.spairs(st and st.counts or {}) do
      counts[#counts + 1] = ('%s %s'):format(v, k)
    end
    health.ok(('client %d: root %s, %d buffer(s) attached%s'):format(
      client.id,
      client.root_dir or '?',
      vim.tbl_count(client.attached_buffers),
      #counts > 0 and (', ' .. table.concat(counts, ', ')) or ''
    ))
  end
  check_trust(clients)

  health.start('specls: highlighting')
  check_treesitter()
end

return M
