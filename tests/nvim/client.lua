-- Client checks that need no server: config shape, trust, commands,
-- highlighting, reading spec.lock. Run:
--   nvim --headless --clean --cmd 'set rtp^=client-neovim' -c 'luafile tests/nvim/client.lua'
local here = vim.fs.dirname(vim.fs.normalize(debug.getinfo(1, 'S').source:sub(2)))
local H = dofile(here .. '/helpers.lua')

local tmp = vim.fs.normalize(vim.fn.tempname())
vim.fn.mkdir(tmp, 'p')

H.run(function()
  H.check('lsp/specls.lua resolves as a vim.lsp.Config', function()
    local config = vim.lsp.config.specls
    H.eq({ 'specls', 'serve' }, config.cmd, 'cmd')
    H.eq({ 'markdown' }, config.filetypes, 'filetypes')
    H.eq(
      { 'spec.lock', 'specls.toml', '.kiro', '.specify', 'openspec', '.git' },
      vim.iter(config.root_markers):flatten():totable(),
      'root_markers'
    )
    H.eq(false, config.settings.specls.trusted, 'default trust')
    H.truthy(type(config.before_init) == 'function', 'before_init')
  end)

  H.check('plugin loads: :Specls and its completion', function()
    H.eq(2, vim.fn.exists(':Specls'), ':Specls exists')
    local names = vim.fn.getcompletion('Specls ', 'cmdline')
    for _, want in ipairs({ 'regenerate', 'regenerate-stale', 'stamp', 'outputs', 'graph', 'status' }) do
      H.truthy(vim.list_contains(names, want), 'completion offers ' .. want .. ' in ' .. vim.inspect(names))
    end
    H.eq({ 'mermaid', 'dot' }, vim.fn.getcompletion('Specls graph ', 'cmdline'), 'graph formats')
  end)

  H.check('trust is computed per root and sent as initializationOptions', function()
    local root = vim.fs.joinpath(tmp, 'ws')
    vim.fn.mkdir(root, 'p')
    local function init(g_trusted, g_roots, explicit)
      vim.g.specls_trusted, vim.g.specls_trusted_roots = g_trusted, g_roots
      local config = vim.deepcopy(vim.lsp.config.specls)
      config.root_dir = root
      config.settings.specls.trusted = explicit
      local params = { initializationOptions = { other = 1 } }
      config.before_init(params, config)
      H.eq(params.initializationOptions.trusted, config.settings.specls.trusted, 'settings mirror init options')
      H.eq(1, params.initializationOptions.other, 'keeps other init options')
      H.eq(50, params.initializationOptions.debounce, 'debounce sent')
      return params.initializationOptions.trusted
    end
    H.eq(false, init(nil, nil, false), 'untrusted by default')
    H.eq(true, init(true, nil, false), 'vim.g.specls_trusted = true')
    H.eq(true, init(nil, { root }, false), 'root listed')
    H.eq(true, init(nil, { tmp }, false), 'parent of root listed')
    H.eq(false, init(nil, { root .. '-other' }, false), 'sibling with a common prefix')
    H.eq(true, init(nil, nil, true), "vim.lsp.config('specls', {settings = {specls = {trusted = true}}})")
    vim.g.specls_trusted, vim.g.specls_trusted_roots = nil, nil
  end)

  H.check('spec.lock outputs are read (file and #symbol keys)', function()
    local root = vim.fs.joinpath(tmp, 'lockws')
    vim.fn.mkdir(root .. '/src', 'p')
    vim.fn.writefile({
      vim.json.encode({
        version = 1,
        units = {
          ['specs/a.spec.md#a'] = { outputs = { ['src/a.py'] = 'sha256:0', ['src/b.py#B.run'] = 'sha256:1' } },
        },
      }),
    }, root .. '/spec.lock')
    local outputs = require('specls.outputs')
    local set = outputs.lock_outputs(root)
    local canon = outputs.canon
    H.truthy(set[canon(root .. '/src/a.py')], 'src/a.py in ' .. vim.inspect(set))
    H.truthy(set[canon(root .. '/src/b.py')], 'src/b.py (from src/b.py#B.run) in ' .. vim.inspect(set))
    H.eq(2, vim.tbl_count(set), 'count')
  end)

  H.check('specls/status notification records outputs and counts', function()
    local root = vim.fs.joinpath(tmp, 'statusws')
    vim.fn.mkdir(root .. '/src', 'p')
    local handler = vim.lsp.handlers['specls/status']
    H.truthy(handler, 'handler registered')
    local uri = vim.uri_from_fname(root .. '/src/x.py')
    handler(nil, { root = vim.uri_from_fname(root), counts = { stale = 2 }, outputs = { uri }, busy = false }, { client_id = 4242 })
    local outputs = require('specls.outputs')
    H.truthy(outputs.by_client[4242][outputs.canon(root .. '/src/x.py')], 'output recorded')
    H.eq(2, require('specls').status[4242].counts.stale, 'counts recorded')
    outputs.forget(4242)
  end)

  H.check('highlight groups link captures to Specls* groups', function()
    for capture, group in pairs({
      ['@keyword.directive.specls'] = 'SpeclsDirective',
      ['@label.section_id.specls'] = 'SpeclsSectionId',
      ['@constant.requirement_id.specls'] = 'SpeclsRequirementId',
      ['@markup.link.url.specls'] = 'SpeclsLink',
      ['@comment.warning.clarification.specls'] = 'SpeclsClarification',
    }) do
      H.eq(group, vim.api.nvim_get_hl(0, { name = capture }).link, capture)
    end
    vim.cmd.colorscheme('default') -- clears highlights; the plugin restores them
    H.eq('SpeclsDirective', vim.api.nvim_get_hl(0, { name = '@keyword.directive.specls' }).link, 'after :colorscheme')
  end)

  local has_parser = pcall(vim.treesitter.language.add, 'markdown_inline')
  H.log('# markdown_inline parser available: %s', tostring(has_parser))
  if has_parser then
    H.check('markdown_inline highlight query parses and captures specls syntax', function()
      local files = vim.api.nvim_get_runtime_file('queries/markdown_inline/highlights.scm', true)
      H.truthy(vim.iter(files):any(function(f)
        return f:find('client%-neovim/queries/markdown_inline/highlights%.scm$') ~= nil
      end), 'client query on the runtimepath: ' .. vim.inspect(files))
      local path = vim.fs.joinpath(tmp, 'hl.spec.md')
      vim.fn.writefile({
        '# Shop {#shop}',
        '',
        '## Login {#auth.login}',
        '[@generate](../src/auth/login.py) [@use](users.spec.md#user-model) [plain](x.md)',
        '',
        '- **FR-001**: System MUST allow login. [NEEDS CLARIFICATION: which method?]',
        '- [ ] T001 [P] [US1] Create model in src/x.py',
        '',
        '### Requirement 1',
        '',
        '- [ ] 2.1 Implement login',
        '  - _Requirements: 1.1, 2.3_',
      }, path)
      local buf = H.edit(path)
      vim.treesitter.start(buf, 'markdown')
      local parser = vim.treesitter.get_parser(buf, 'markdown')
      parser:parse(true)
      local query = vim.treesitter.query.get('markdown_inline', 'highlights')
      local got = {}
      parser:for_each_tree(function(tree, ltree)
        if ltree:lang() == 'markdown_inline' then
          for id, node, md in query:iter_captures(tree:root(), buf) do
            local name = query.captures[id]
            if name:find('specls', 1, true) then
              local r = vim.treesitter.get_range(node, buf, md[id])
              local text = table.concat(vim.api.nvim_buf_get_text(buf, r[1], r[2], r[4], r[5], {}), '\n')
              got[#got + 1] = name .. ' ' .. text
            end
          end
        end
      end)
      table.sort(got)
      H.eq({
        'comment.warning.clarification.specls [NEEDS CLARIFICATION: which method?]',
        'constant.requirement_id.specls **FR-001**',
        'constant.requirement_id.specls Requirement 1',
        'constant.requirement_id.specls T001',
        'constant.requirement_id.specls _Requirements: 1.1, 2.3_',
        'keyword.directive.specls @generate',
        'keyword.directive.specls @use',
        'label.section_id.specls {#auth.login}',
        'label.section_id.specls {#shop}',
        'markup.link.url.specls ../src/auth/login.py',
        'markup.link.url.specls users.spec.md#user-model',
      }, got, 'captures')
      -- And the highlighter draws them without errors.
      vim.cmd.redraw()
      local caps = vim.tbl_map(function(c)
        return c.capture
      end, vim.treesitter.get_captures_at_pos(buf, 3, 2))
      H.truthy(vim.list_contains(caps, 'keyword.directive.specls'), 'capture at cursor: ' .. vim.inspect(caps))
    end)
  end
end)
