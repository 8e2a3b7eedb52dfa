-- End to end: the real `specls serve` behind the client in client-neovim, on
-- a copy of examples/shop (the current directory). Run from that copy:
--   nvim --headless --clean --cmd 'set rtp^=/…/client-neovim' -c 'luafile /…/tests/nvim/e2e.lua'
-- `specls` must be on $PATH. Exits non-zero when any check fails.
local here = vim.fs.dirname(vim.fs.normalize(debug.getinfo(1, 'S').source:sub(2)))
local H = dofile(here .. '/helpers.lua')

local function real(p)
  return vim.fs.normalize(vim.uv.fs_realpath(p) or p)
end

local root = real(vim.uv.cwd())
local SPEC = root .. '/specs/auth.spec.md'
local SECTION = 'login'
local UNIT = 'specs/auth.spec.md#login'
local FILE_OUT = root .. '/src/shop/auth.py' -- whole-file output of the unit
local SYMBOL_OUT = root .. '/src/shop/app.py' -- holds the generated symbol
local SYMBOL = 'create_session'
local OTHER_OUT = root .. '/src/shop/cart.py' -- an output of another unit
local MARKER = '# edited in the Neovim e2e test'
local WAIT = 15000

vim.g.specls_trusted_roots = { root }
vim.g.specls_progress_echo = false
vim.lsp.log.set_level('warn')
vim.lsp.config('specls', {
  on_exit = function(code, signal, client_id)
    H.log('# specls client %d exited: code %s, signal %s', client_id, tostring(code), tostring(signal))
  end,
})
vim.lsp.enable('specls')
H.on_failure = function()
  local log = vim.lsp.log.get_filename()
  local ok, lines = pcall(vim.fn.readfile, log, '', -40)
  if ok and #lines > 0 then
    H.log('# last lines of %s:\n#   %s', log, table.concat(lines, '\n#   '))
  end
end

H.log('# workspace %s', root)
H.log('# specls %s', vim.fn.exepath('specls'))

local progress = {} ---@type string[] kinds of $/progress seen from specls
vim.api.nvim_create_autocmd('LspProgress', {
  callback = function(ev)
    local client = vim.lsp.get_client_by_id(ev.data.client_id)
    local value = ev.data.params and ev.data.params.value
    if client and client.name == 'specls' and type(value) == 'table' then
      progress[#progress + 1] = value.kind .. ':' .. tostring(value.title or value.message or '')
    end
  end,
})

--- 0-based line of the first line in `buf` matching the Lua pattern, after `from`.
local function find_line(buf, pattern, from)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, from or 0, -1, false)) do
    if line:find(pattern) then
      return (from or 0) + i - 1, line
    end
  end
  error(('no line matching %q in %s'):format(pattern, vim.api.nvim_buf_get_name(buf)))
end

local function file_line(path, pattern)
  local i = 0
  for line in io.lines(path) do
    if line:find(pattern) then
      return i
    end
    i = i + 1
  end
  error(('no line matching %q in %s'):format(pattern, path))
end

local function hover_text(result)
  local c = result and result.contents
  if type(c) == 'string' then
    return c
  end
  if type(c) == 'table' and c.value then
    return c.value
  end
  local parts = {}
  for _, item in ipairs(type(c) == 'table' and c or {}) do
    parts[#parts + 1] = type(item) == 'string' and item or item.value or ''
  end
  return table.concat(parts, '\n')
end

--- Runs a check only if the server advertises `capability` (a key of
--- server_capabilities); otherwise it is skipped and reported as such.
local function check_feature(capability, name, fn, needs)
  local c = client or vim.lsp.get_clients({ name = 'specls' })[1]
  if c and not c.server_capabilities[capability] then
    return H.skip(name, ('the server does not advertise %s'):format(capability))
  end
  return H.check(name, fn, needs)
end

local function show(buf)
  vim.api.nvim_set_current_buf(buf)
end

local client, spec_buf, out_buf, sym_line

H.run(function()
  H.check('a generated file opened first starts the client (from spec.lock)', function()
    out_buf = H.edit(FILE_OUT)
    H.eq('python', vim.bo[out_buf].filetype, 'filetype of the output stays python')
    client = H.wait_client(out_buf, 30000)
    H.eq(root, real(client.root_dir), 'root_dir')
  end)

  H.check('the client attaches to a spec (markdown) and reuses the client', function()
    spec_buf = H.edit(SPEC)
    H.eq('markdown', vim.bo[spec_buf].filetype, 'spec filetype stays markdown')
    local c = H.wait_client(spec_buf)
    client = client or c
    H.eq(client.id, c.id, 'same client for spec and output')
    H.eq(true, client.settings.specls.trusted, 'trusted root sent (settings.specls.trusted)')
    H.truthy(vim.treesitter.highlighter.active[spec_buf], 'tree-sitter highlighting started on the spec')
  end)

  H.check('another output attaches via the outputs of specls/status', function()
    H.wait(WAIT, function()
      local st = require('specls').status[client.id]
      return st and st.outputs and #st.outputs > 0
    end, 'a specls/status notification with outputs')
    local st = require('specls').status[client.id]
    H.truthy(vim.list_contains(st.outputs, vim.uri_from_fname(OTHER_OUT)), 'cart.py in outputs ' .. vim.inspect(st.outputs))
    local buf = H.edit(OTHER_OUT)
    H.wait_client(buf)
    -- :edit! re-runs FileType, where vim.lsp.enable() detaches configs whose
    -- filetypes miss 'python'; the client attaches again.
    vim.cmd('edit!')
    vim.wait(200)
    H.wait_client(buf)
    show(spec_buf)
  end, { 'the client attaches to a spec (markdown) and reuses the client' })

  H.check('Kiro, Spec Kit and OpenSpec files (markdown) attach to the same client', function()
    for _, rel in ipairs({
      '.kiro/specs/checkout/requirements.md',
      'specs/001-checkout/spec.md',
      'openspec/specs/checkout/spec.md',
    }) do
      local path = root .. '/' .. rel
      vim.fn.mkdir(vim.fs.dirname(path), 'p')
      vim.fn.writefile({ '# Checkout', '', '### Requirement 1', '', 'WHEN paying THE SYSTEM SHALL charge.' }, path)
      local buf = H.edit(path)
      H.eq('markdown', vim.bo[buf].filetype, rel .. ' filetype')
      H.eq(client.id, H.wait_client(buf).id, rel .. ' client')
      vim.cmd('bwipeout')
    end
    show(spec_buf)
  end, { 'the client attaches to a spec (markdown) and reuses the client' })

  H.check('diagnostics appear (a broken @use in the spec)', function()
    show(spec_buf)
    local last = vim.api.nvim_buf_line_count(spec_buf)
    vim.api.nvim_buf_set_lines(spec_buf, last, last, false, { '', '[@use](missing.spec.md#nowhere)' })
    local diags = H.wait(WAIT, function()
      local ds = vim.tbl_filter(function(d)
        return d.lnum == last + 1
      end, H.spec_diagnostics(spec_buf))
      return #ds > 0 and ds
    end, function()
      return 'a SPEC diagnostic on the broken @use; spec has ' .. H.describe_diagnostics(spec_buf)
    end)
    H.log('    got %s %s', tostring(diags[1].code), diags[1].message)
    vim.api.nvim_buf_set_lines(spec_buf, last, last + 2, false, {})
    H.wait(WAIT, function()
      return #vim.tbl_filter(function(d)
        return d.lnum >= last
      end, H.spec_diagnostics(spec_buf)) == 0
    end, 'the diagnostic to clear after removing the line')
  end, { 'the client attaches to a spec (markdown) and reuses the client' })

  H.check('editing a section makes its outputs stale (SPEC201)', function()
    show(spec_buf)
    H.eq(0, #H.spec_diagnostics(out_buf, 'SPEC201'), 'output is fresh before the edit')
    local fence = find_line(spec_buf, '^```%a*%s+file=[^%s]*auth%.py%s*$')
    local close = find_line(spec_buf, '^```%s*$', fence + 1)
    vim.api.nvim_buf_set_lines(spec_buf, close, close, false, { '', MARKER })
    H.wait(WAIT, function()
      return #H.spec_diagnostics(out_buf, 'SPEC201') > 0
    end, function()
      return 'SPEC201 on auth.py; it has ' .. H.describe_diagnostics(out_buf) .. '; spec has ' .. H.describe_diagnostics(spec_buf)
    end)
    H.log('    spec: %s', H.describe_diagnostics(spec_buf))
    H.log('    statusline: %s', require('specls').statusline(spec_buf))
  end, { 'a generated file opened first starts the client (from spec.lock)' })

  check_feature('completionProvider', 'completion after [@ lists directives', function()
    show(spec_buf)
    local heading = find_line(spec_buf, '{#' .. SECTION .. '}')
    vim.api.nvim_buf_set_lines(spec_buf, heading + 2, heading + 2, false, { '[@' })
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(spec_buf) },
      position = { line = heading + 2, character = 2 },
      context = { triggerKind = 2, triggerCharacter = '@' },
    }
    local ok, err = pcall(function()
      local result = H.request(client, 'textDocument/completion', params, spec_buf)
      local items = result and (result.items or result) or {}
      local labels = vim.tbl_map(function(i)
        return i.label
      end, items)
      local text = table.concat(labels, ' ')
      for _, d in ipairs({ 'generate', 'use', 'test', 'describe' }) do
        H.contains(text, d, 'completion labels')
      end
    end)
    vim.api.nvim_buf_set_lines(spec_buf, heading + 2, heading + 3, false, {})
    assert(ok, err)
  end, { 'the client attaches to a spec (markdown) and reuses the client' })

  check_feature('definitionProvider', 'definition from a directive lands on the generated symbol', function()
    show(spec_buf)
    local row, line = find_line(spec_buf, '%(%S*app%.py#' .. SYMBOL .. '%)')
    local col = line:find('%[@generate%]%(%S*app%.py#' .. SYMBOL) -- 1-based '['
    vim.api.nvim_win_set_cursor(0, { row + 1, col + 1 }) -- on '@generate'
    sym_line = file_line(SYMBOL_OUT, '^%s*def ' .. SYMBOL .. '%f[^%w_]') + 1
    vim.lsp.buf.definition()
    H.wait(WAIT, function()
      return real(vim.api.nvim_buf_get_name(0)) == SYMBOL_OUT and vim.api.nvim_win_get_cursor(0)[1] == sym_line
    end, function()
      return ('app.py line %d; at %s line %d'):format(sym_line, vim.api.nvim_buf_get_name(0), vim.api.nvim_win_get_cursor(0)[1])
    end)
    show(spec_buf)
  end, { 'the client attaches to a spec (markdown) and reuses the client' })

  check_feature('hoverProvider', 'hover on a directive shows the generated code', function()
    show(spec_buf)
    local row, line = find_line(spec_buf, '%(%S*app%.py#' .. SYMBOL .. '%)')
    local col = line:find('%[@generate%]%(%S*app%.py#' .. SYMBOL)
    local result = H.request(client, 'textDocument/hover', {
      textDocument = { uri = vim.uri_from_bufnr(spec_buf) },
      position = { line = row, character = col + 1 },
    }, spec_buf)
    local text = hover_text(result)
    H.contains(text, 'def ' .. SYMBOL, 'hover text')
    H.contains(text, 'secrets.token_hex', 'hover text')
  end, { 'the client attaches to a spec (markdown) and reuses the client' })

  check_feature('semanticTokensProvider', 'semantic tokens mark a directive (keyword + specls)', function()
    show(spec_buf)
    local row, line = find_line(spec_buf, '%(%S*app%.py#' .. SYMBOL .. '%)')
    local col = line:find('%[@generate%]%(%S*app%.py#' .. SYMBOL) -- 1-based '['
    local token = H.wait(WAIT, function()
      for _, t in ipairs(vim.lsp.semantic_tokens.get_at_pos(spec_buf, row, col + 1) or {}) do
        if t.type == 'keyword' then
          return t
        end
      end
      return false
    end, 'a keyword token on @generate')
    H.truthy(token.modifiers.specls, 'the token carries the specls modifier')
    local hl = vim.api.nvim_get_hl(0, { name = '@lsp.typemod.keyword.specls' })
    H.eq('SpeclsDirective', hl.link, 'the token links to SpeclsDirective')
  end, { 'the client attaches to a spec (markdown) and reuses the client' })

  check_feature('codeLensProvider', 'code lenses are refreshed on the spec', function()
    show(spec_buf)
    local lenses = H.wait(WAIT, function()
      local l = vim.lsp.codelens.get(spec_buf)
      return #l > 0 and l
    end, 'code lenses on the spec')
    local titles = vim.tbl_map(function(l)
      return l.command and l.command.title or '?'
    end, lenses)
    H.log('    lenses: %s', table.concat(titles, ' | '))
  end, { 'the client attaches to a spec (markdown) and reuses the client' })

  H.check(':Specls regenerate on the stale section rewrites the output and clears SPEC201', function()
    show(spec_buf)
    local heading = find_line(spec_buf, '{#' .. SECTION .. '}')
    vim.api.nvim_win_set_cursor(0, { heading + 2, 0 })
    progress = {}
    local resp = H.specls_command('Specls regenerate', 'specls.regenerate', 60000)
    H.truthy(not resp.err, 'no error: ' .. vim.inspect(resp.err))
    H.truthy(vim.list_contains(resp.result.regenerated or {}, UNIT), 'regenerated ' .. vim.inspect(resp.result))
    H.wait(WAIT, function()
      return table.concat(vim.api.nvim_buf_get_lines(out_buf, 0, -1, false), '\n'):find(MARKER, 1, true)
        or H.read(FILE_OUT):find(MARKER, 1, true)
    end, 'the marker in auth.py (buffer or disk)')
    H.wait(WAIT, function()
      return #H.spec_diagnostics(out_buf, 'SPEC201') == 0 and #H.spec_diagnostics(spec_buf, 'SPEC201') == 0
    end, function()
      return 'SPEC201 to clear; auth.py has ' .. H.describe_diagnostics(out_buf) .. '; spec has ' .. H.describe_diagnostics(spec_buf)
    end)
    H.log('    progress: %s', table.concat(progress, ', '))
    H.truthy(progress[1] and progress[1]:find('^begin') and progress[#progress]:find('^end'), 'LspProgress begin..end')
    -- The server changes open outputs with workspace/applyEdit; save like a user would.
    vim.cmd('silent wall')
    H.contains(H.read(FILE_OUT), MARKER, 'auth.py on disk after :wall')
  end, { 'editing a section makes its outputs stale (SPEC201)' })

  H.check(':Specls status, outputs, graph and trace', function()
    show(spec_buf)
    local resp = H.specls_command('Specls status', 'specls.status')
    H.truthy(not resp.err and type(resp.result) == 'table', 'status result ' .. vim.inspect(resp))
    local heading = find_line(spec_buf, '{#' .. SECTION .. '}')
    vim.api.nvim_win_set_cursor(0, { heading + 1, 0 })
    resp = H.specls_command('Specls outputs', 'specls.showOutputs')
    H.eq(2, #resp.result, 'two outputs of ' .. UNIT)
    local qf = vim.fn.getqflist({ title = 1, items = 1 })
    H.eq(2, #qf.items, 'quickfix items')
    vim.cmd('cclose')
    show(spec_buf)
    resp = H.specls_command('Specls graph', 'specls.graph')
    H.truthy(type(resp.result) == 'string' and resp.result:find(SECTION, 1, true), 'graph mentions the section')
    H.eq('mermaid', vim.bo.filetype, 'graph buffer filetype')
    vim.cmd('close')
    show(spec_buf)
    resp = H.specls_command('Specls trace', 'specls.trace')
    H.truthy(type(resp.result) == 'string' and resp.result:find('FR-003', 1, true), 'trace lists FR-003 ' .. vim.inspect(resp))
    H.eq('markdown', vim.bo.filetype, 'trace buffer filetype')
    H.eq('nofile', vim.bo.buftype, 'trace buffer is a scratch buffer')
    local shown = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
    H.contains(shown, 'FR-003', 'the matrix in the scratch buffer')
    H.eq(vim.trim(resp.result), vim.trim(shown), 'the buffer holds the Markdown matrix')
    vim.cmd('close')
  end, { 'the client attaches to a spec (markdown) and reuses the client' })

  H.check(':Specls regenerate-stale, stamp and trust', function()
    show(spec_buf)
    local fence = find_line(spec_buf, '^```%a*%s+file=[^%s]*auth%.py%s*$')
    local close = find_line(spec_buf, '^```%s*$', fence + 1)
    vim.api.nvim_buf_set_lines(spec_buf, close, close, false, { MARKER .. ' again' })
    H.wait(WAIT, function()
      return #H.spec_diagnostics(out_buf, 'SPEC201') > 0
    end, 'SPEC201 after a second edit')
    local resp = H.specls_command('Specls regenerate-stale', 'specls.regenerateStale', 60000)
    H.truthy(vim.list_contains(resp.result.regenerated or {}, UNIT), 'regenerated ' .. vim.inspect(resp.result))
    H.wait(WAIT, function()
      return #H.spec_diagnostics(out_buf, 'SPEC201') == 0
    end, 'SPEC201 to clear after regenerate-stale')
    local heading = find_line(spec_buf, '{#' .. SECTION .. '}')
    vim.api.nvim_win_set_cursor(0, { heading + 1, 0 })
    resp = H.specls_command('Specls stamp', 'specls.stamp')
    H.eq({ UNIT }, resp.result.stamped, 'stamped')
    client.settings.specls.trusted = false
    vim.g.specls_trusted_roots = {}
    vim.cmd('Specls trust')
    H.eq(true, client.settings.specls.trusted, 'trusted after :Specls trust')
    H.eq({ client.root_dir }, vim.g.specls_trusted_roots, 'root remembered for the session')
    vim.cmd('silent wall')
  end, { ':Specls regenerate on the stale section rewrites the output and clears SPEC201' })

  H.check(':checkhealth specls reports OK', function()
    show(spec_buf)
    vim.cmd('checkhealth specls')
    local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
    H.log('    %s', (text:gsub('\n', '\n    ')))
    H.truthy(not text:find('ERROR', 1, true), 'no ERROR in health')
    H.contains(text, 'OK server:', 'health')
    H.contains(text, 'OK version:', 'health')
    H.contains(text, 'trusted = true', 'health')
    H.contains(text, root, 'health names the workspace root')
  end)
end)
