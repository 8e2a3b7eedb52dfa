-- specls for Neovim 0.11+: `:Specls` commands, attaching to generated files,
-- progress, highlighting. The server config itself is lsp/specls.lua; enable
-- it with `vim.lsp.enable('specls')`.
if vim.g.loaded_specls or vim.fn.has('nvim-0.11') == 0 then
  return
end
vim.g.loaded_specls = true

require('specls.highlight').setup()

vim.api.nvim_create_user_command('Specls', function(opts)
  require('specls.commands').run(opts)
end, {
  nargs = '*',
  bang = true,
  desc = 'specls: regenerate | regenerate-stale | stamp | outputs | graph | status | cancel | trust',
  complete = function(arglead, cmdline)
    return require('specls.commands').complete(arglead, cmdline)
  end,
})

vim.lsp.handlers['specls/status'] = function(...)
  return require('specls.outputs').on_status(...)
end

local group = vim.api.nvim_create_augroup('specls', { clear = true })

vim.api.nvim_create_autocmd('ColorScheme', {
  group = group,
  callback = function()
    require('specls.highlight').define()
  end,
})

vim.api.nvim_create_autocmd('LspAttach', {
  group = group,
  callback = function(ev)
    local client = vim.lsp.get_client_by_id(ev.data.client_id)
    if client and client.name == 'specls' then
      require('specls').on_attach(client, ev.buf)
    end
  end,
})

vim.api.nvim_create_autocmd('LspDetach', {
  group = group,
  callback = function()
    -- Drop what we tracked for clients that have stopped.
    vim.schedule(function()
      for id in pairs(require('specls').status) do
        local client = vim.lsp.get_client_by_id(id)
        if not client or client:is_stopped() then
          require('specls.outputs').forget(id)
          require('specls.progress').forget(id)
        end
      end
    end)
  end,
})

-- Generated files (any filetype) get the client too. Scheduled so it runs
-- after vim.lsp.enable()'s FileType handler, which detaches configs whose
-- `filetypes` do not list the buffer's filetype.
vim.api.nvim_create_autocmd({ 'BufReadPost', 'BufNewFile', 'FileType' }, {
  group = group,
  callback = function(ev)
    vim.schedule(function()
      require('specls.outputs').maybe_attach(ev.buf)
    end)
  end,
})

vim.api.nvim_create_autocmd('LspProgress', {
  group = group,
  callback = function(ev)
    require('specls.progress').on_progress(ev)
  end,
})
