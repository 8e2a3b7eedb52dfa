--- `:Specls {subcommand}`: the server's `workspace/executeCommand` commands
--- (docs/protocol.md), with the section under the cursor as the target.
local specls = require('specls')

local M = {}

local function notify(msg, level)
  vim.notify('specls: ' .. msg, level or vim.log.levels.INFO)
end

--- A failed command. specls shows its own refusals ("no generation unit
--- here", InvalidParams) with window/showMessage; report only the others.
---@param err lsp.ResponseError
local function report_error(err)
  if err.code ~= -32602 then
    notify(err.message or vim.inspect(err), vim.log.levels.ERROR)
  end
end

--- `{uri, position}` of the cursor in the current window, in the client's encoding.
---@param client vim.lsp.Client
local function cursor_target(client)
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  return { uri = params.textDocument.uri, position = params.position }
end

--- A target: `{unit = …}` when a unit reference is given, else the cursor.
---@param client vim.lsp.Client
---@param fargs string[]
local function target(client, fargs)
  if fargs[1] and fargs[1] ~= '' then
    return { unit = fargs[1] }
  end
  return cursor_target(client)
end

---@param list any
---@return any[]
local function list(value)
  return type(value) == 'table' and value or {}
end

local function unit_names(items)
  local names = {}
  for _, item in ipairs(items) do
    names[#names + 1] = type(item) == 'table' and (item.unit or vim.inspect(item)) or tostring(item)
  end
  return table.concat(names, ', ')
end

--- Summarise a regenerate result; offer to force hand-edited outputs.
---@param client vim.lsp.Client
---@param command string
---@param argument table
---@param result table?
local function report_regen(client, command, argument, result)
  vim.cmd.checktime() -- reload open outputs rewritten on disk
  result = type(result) == 'table' and result or {}
  local regenerated, failed, refused = list(result.regenerated), list(result.failed), list(result.refused)
  if #regenerated > 0 then
    notify(('regenerated %s'):format(unit_names(regenerated)))
  end
  for _, f in ipairs(failed) do
    notify(('%s failed: %s'):format(f.unit or '?', f.message or ''), vim.log.levels.ERROR)
  end
  for _, r in ipairs(refused) do
    notify(('%s refused: %s'):format(r.unit or '?', r.message or ''), vim.log.levels.WARN)
  end
  if #regenerated + #failed + #refused == 0 then
    notify('nothing to regenerate')
  end
  if #refused > 0 and not argument.force and command == 'specls.regenerate' then
    vim.ui.select({ 'Overwrite (a backup is kept)', 'Keep my edits' }, {
      prompt = ('specls: %s has hand-edited outputs'):format(unit_names(refused)),
    }, function(_, idx)
      if idx == 1 then
        local forced = vim.tbl_extend('force', argument, { force = true })
        specls.exec(client, command, forced, function(err, res)
          if err then
            return report_error(err)
          end
          report_regen(client, command, forced, res)
        end)
      end
    end)
  end
end

--- Show text in a scratch buffer in a new split.
---@param lines string[]
---@param filetype string?
---@param name string
local function scratch(lines, filetype, name)
  vim.cmd('botright new')
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].swapfile = false
  pcall(vim.api.nvim_buf_set_name, buf, name)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  if filetype then
    vim.bo[buf].filetype = filetype
  end
  return buf
end

---@class specls.Subcommand
---@field run fun(client: vim.lsp.Client, opts: {fargs: string[], bang: boolean})
---@field complete? fun(): string[]
---@field needs_client? boolean (default true)

---@type table<string, specls.Subcommand>
M.subcommands = {
  regenerate = {
    run = function(client, o)
      local arg = target(client, o.fargs)
      if o.bang then
        arg.force = true
      end
      specls.exec(client, 'specls.regenerate', arg, function(err, result)
        if err then
          return report_error(err)
        end
        report_regen(client, 'specls.regenerate', arg, result)
      end)
    end,
  },
  ['regenerate-stale'] = {
    run = function(client, o)
      local arg = {}
      if o.fargs[1] ~= 'all' then
        arg.uri = vim.uri_from_bufnr(0)
      end
      specls.exec(client, 'specls.regenerateStale', arg, function(err, result)
        if err then
          return report_error(err)
        end
        report_regen(client, 'specls.regenerateStale', arg, result)
      end)
    end,
    complete = function()
      return { 'all' }
    end,
  },
  stamp = {
    run = function(client, o)
      specls.exec(client, 'specls.stamp', target(client, o.fargs), function(err, result)
        if err then
          return report_error(err)
        end
        local stamped = list(type(result) == 'table' and result.stamped)
        notify(#stamped > 0 and ('stamped %s'):format(unit_names(stamped)) or 'nothing to stamp')
      end)
    end,
  },
  outputs = {
    run = function(client, o)
      specls.exec(client, 'specls.showOutputs', target(client, o.fargs), function(err, result)
        if err then
          return report_error(err)
        end
        local locations = list(result)
        if #locations == 0 then
          return notify('no outputs here')
        end
        if #locations == 1 then
          vim.lsp.util.show_document(locations[1], client.offset_encoding, { focus = true })
          return
        end
        local items = vim.lsp.util.locations_to_items(locations, client.offset_encoding)
        vim.fn.setqflist({}, ' ', { title = 'specls outputs', items = items })
        vim.cmd('botright copen')
      end)
    end,
  },
  graph = {
    run = function(client, o)
      local format = o.fargs[1] or 'mermaid'
      specls.exec(client, 'specls.graph', { format = format }, function(err, result)
        if err then
          return report_error(err)
        end
        scratch(vim.split(tostring(result or ''), '\n'), format, 'specls://graph.' .. format)
      end)
    end,
    complete = function()
      return { 'mermaid', 'dot' }
    end,
  },
  trace = {
    -- The traceability matrix of the current buffer's root (else the first root)
    -- as Markdown, or the self-contained HTML page with `:Specls trace html`.
    run = function(client, o)
      local format = o.fargs[1] or 'markdown'
      local arg = { format = format }
      if vim.bo.buftype == '' and vim.api.nvim_buf_get_name(0) ~= '' then
        arg.uri = vim.uri_from_bufnr(0)
      end
      specls.exec(client, 'specls.trace', arg, function(err, result)
        if err then
          return report_error(err)
        end
        scratch(vim.split(tostring(result or ''), '\n'), format, 'specls://trace.' .. (format == 'markdown' and 'md' or format))
      end)
    end,
    complete = function()
      return { 'markdown', 'html' }
    end,
  },
  status = {
    run = function(client)
      specls.exec(client, 'specls.status', {}, function(err, result)
        if err then
          return report_error(err)
        end
        result = type(result) == 'table' and result or {}
        -- docs/protocol.md: {counts, units}; a multi-root server: {roots = [{root, counts, units}]}
        local roots = type(result.roots) == 'table' and result.roots or { result }
        local lines = {}
        for _, r in ipairs(roots) do
          local counts = {}
          for k, v in vim.spairs(type(r.counts) == 'table' and r.counts or {}) do
            counts[#counts + 1] = ('%s %s'):format(v, k)
          end
          local where = type(r.root) == 'string' and (' ' .. vim.uri_to_fname(r.root)) or ''
          lines[#lines + 1] = ('specls%s: %s'):format(where, #counts > 0 and table.concat(counts, ', ') or 'no units')
          for _, unit in ipairs(list(r.units)) do
            if type(unit) == 'table' then
              lines[#lines + 1] = ('  %-12s %s'):format(tostring(unit.status or ''), tostring(unit.unit or vim.inspect(unit)))
            else
              lines[#lines + 1] = '  ' .. tostring(unit)
            end
          end
        end
        vim.notify(table.concat(lines, '\n'), vim.log.levels.INFO)
      end)
    end,
  },
  cancel = {
    run = function()
      local n = require('specls.progress').cancel()
      notify(n > 0 and ('cancelling %d operation(s)'):format(n) or 'nothing running')
    end,
    needs_client = false,
  },
  trust = {
    run = function(client)
      local roots = vim.list_extend({}, vim.g.specls_trusted_roots or {})
      if client.root_dir and not vim.list_contains(roots, client.root_dir) then
        roots[#roots + 1] = client.root_dir
        vim.g.specls_trusted_roots = roots
      end
      client.settings.specls = client.settings.specls or {}
      client.settings.specls.trusted = true
      client:notify('workspace/didChangeConfiguration', { settings = client.settings })
      notify(('trusted %s for this session'):format(client.root_dir or 'this workspace'))
    end,
  },
}

--- Entry point of `:Specls[!] {subcommand} [args]`.
---@param opts {fargs: string[], bang: boolean}
function M.run(opts)
  local name = opts.fargs[1] or 'status'
  local sub = M.subcommands[name]
  if not sub then
    return notify(('unknown subcommand %q (try: %s)'):format(name, table.concat(M.names(), ', ')), vim.log.levels.ERROR)
  end
  local rest = { fargs = vim.list_slice(opts.fargs, 2), bang = opts.bang }
  if sub.needs_client == false then
    return sub.run(nil, rest)
  end
  local client = specls.client(0)
  if not client then
    return notify('no specls client for this buffer (is `vim.lsp.enable("specls")` set?)', vim.log.levels.ERROR)
  end
  sub.run(client, rest)
end

---@return string[]
function M.names()
  local names = vim.tbl_keys(M.subcommands)
  table.sort(names)
  return names
end

--- Completion for `:Specls`.
function M.complete(arglead, cmdline)
  local words = vim.split(cmdline:sub(1, #cmdline), '%s+', { trimempty = false })
  local candidates
  if #words <= 2 then
    candidates = M.names()
  else
    local sub = M.subcommands[words[2]]
    candidates = sub and sub.complete and sub.complete() or {}
  end
  return vim.tbl_filter(function(c)
    return vim.startswith(c, arglead)
  end, candidates)
end

return M
