--- Highlighting of directives, section IDs, requirement IDs and clarification
--- markers: tree-sitter captures from `queries/markdown_inline/highlights.scm`
--- and LSP semantic tokens, both linked to `Specls*` groups that a colorscheme
--- or the user may override.
local M = {}

--- Specls groups and the standard groups they default to. The VS Code grammar
--- (grammars/specmd.tmLanguage.json) uses the scope in the comment.
M.groups = {
  SpeclsDirective = '@keyword.directive', -- keyword.control.directive.specls
  SpeclsLink = '@markup.link.url', -- markup.underline.link.specls
  SpeclsSectionId = '@label', -- entity.name.tag.section-id.specls
  SpeclsRequirementId = '@constant', -- constant.other.requirement-id.specls
  SpeclsClarification = '@comment.warning', -- invalid.deprecated.clarification.specls
}

--- Tree-sitter captures (and semantic token groups) -> Specls group.
M.captures = {
  ['@keyword.directive.specls'] = 'SpeclsDirective',
  ['@markup.link.url.specls'] = 'SpeclsLink',
  ['@label.section_id.specls'] = 'SpeclsSectionId',
  ['@constant.requirement_id.specls'] = 'SpeclsRequirementId',
  ['@comment.warning.clarification.specls'] = 'SpeclsClarification',
  -- The server's semantic tokens (legend: keyword, namespace, enumMember, each
  -- with the `specls` modifier; see server/specls/lsp/semantic_tokens.py).
  ['@lsp.typemod.keyword.specls'] = 'SpeclsDirective',
  ['@lsp.typemod.namespace.specls'] = 'SpeclsSectionId',
  ['@lsp.typemod.enumMember.specls'] = 'SpeclsRequirementId',
}

function M.define()
  for group, link in pairs(M.groups) do
    vim.api.nvim_set_hl(0, group, { link = link, default = true })
  end
  for capture, group in pairs(M.captures) do
    vim.api.nvim_set_hl(0, capture, { link = group, default = true })
  end
end

--- `(#specls-narrow! @capture "lua-pattern")`: shrink the capture's range to
--- the first match of the pattern in its text. With two position captures,
--- `"(){#[%w._-]+}()"`, the range runs between them. Used where
--- markdown_inline has no node of its own (a `{#id}` after a heading, a task ID
--- at the start of a list item); pair it with `#lua-match?` on the same pattern.
local function narrow(match, _, source, pred, metadata)
  local id = pred[2]
  local nodes = match[id]
  local node = type(nodes) == 'table' and nodes[#nodes] or nodes
  if not node then
    return
  end
  local text = vim.treesitter.get_node_text(node, source)
  local s, e, c1, c2 = text:find(pred[3])
  if not s then
    return
  end
  local first, past -- 1-based start, 1-based exclusive end
  if type(c1) == 'number' and type(c2) == 'number' then
    first, past = c1, c2
  else
    first, past = s, e + 1
  end
  local sr, sc = node:range()
  local function pos(offset) -- byte offset (0-based) in text -> row, col
    local before = text:sub(1, offset)
    local rows, last_nl = 0, nil
    for i in before:gmatch('()\n') do
      rows, last_nl = rows + 1, i
    end
    if rows == 0 then
      return sr, sc + offset
    end
    return sr + rows, offset - last_nl
  end
  local r1, c1_ = pos(first - 1)
  local r2, c2_ = pos(past - 1)
  metadata[id] = metadata[id] or {}
  metadata[id].range = { r1, c1_, r2, c2_ }
end

function M.register_directive()
  vim.treesitter.query.add_directive('specls-narrow!', narrow, { force = true, all = true })
end

--- Turn on tree-sitter highlighting for a spec buffer (Neovim 0.11 does not
--- for markdown by default) unless `vim.g.specls_treesitter = false` or it is
--- already on (nvim-treesitter, the user's ftplugin).
---@param bufnr integer
function M.start(bufnr)
  if vim.g.specls_treesitter == false or vim.treesitter.highlighter.active[bufnr] then
    return
  end
  pcall(vim.treesitter.start, bufnr, 'markdown')
end

function M.setup()
  M.register_directive()
  M.define()
end

return M
