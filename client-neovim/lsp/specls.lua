---@brief
---
--- https://github.com/specls/specls
---
--- `specls`, a language server for spec-driven development: Markdown specs are
--- the source, generated code is the build output. It tracks which section
--- generated which file or symbol, flags stale/edited outputs, and regenerates
--- a section on request.
---
--- Install with `pipx install specls` (or `uv tool install specls`).
---
--- Generators (other than the built-in, offline `tangle`) only run in trusted
--- workspaces. Trust every workspace, or only some roots (and the folders below them):
--- ```lua
--- vim.g.specls_trusted = true
--- vim.g.specls_trusted_roots = { '~/src/shop' }
--- ```

--- Whether generators may run in `root` (sent as `settings.specls.trusted`).
---@param root string?
---@param explicit boolean?
local function is_trusted(root, explicit)
  if explicit == true or vim.g.specls_trusted == true then
    return true
  end
  if not root then
    return false
  end
  local function canon(p)
    p = vim.fs.normalize(p)
    return vim.fs.normalize(vim.uv.fs_realpath(p) or p)
  end
  root = canon(root)
  for _, allowed in ipairs(vim.g.specls_trusted_roots or {}) do
    allowed = canon(allowed)
    if root == allowed or vim.startswith(root, allowed .. '/') then
      return true
    end
  end
  return false
end

---@type vim.lsp.Config
return {
  cmd = { 'specls', 'serve' },
  -- Spec files stay `markdown` (`*.spec.md`, Spec Kit, Kiro, OpenSpec layouts).
  filetypes = { 'markdown' },
  -- The lock or config first; then the folders Kiro, Spec Kit and OpenSpec keep
  -- at a project's root; then the repository.
  root_markers = vim.fn.has('nvim-0.11.3') == 1
      and { { 'spec.lock', 'specls.toml' }, { '.kiro', '.specify', 'openspec' }, '.git' }
    or { 'spec.lock', 'specls.toml', '.kiro', '.specify', 'openspec', '.git' },
  settings = {
    specls = {
      trusted = false,
      debounce = 50,
    },
  },
  capabilities = {
    -- Regeneration reports `$/progress` on a server-created token.
    window = { workDoneProgress = true },
    -- `trusted` and friends are also pulled with `workspace/configuration`.
    workspace = { configuration = true },
  },
  before_init = function(params, config)
    config.settings = config.settings or {}
    config.settings.specls = config.settings.specls or {}
    local settings = config.settings.specls
    settings.trusted = is_trusted(config.root_dir, settings.trusted)
    params.initializationOptions =
      vim.tbl_deep_extend('force', params.initializationOptions or {}, settings)
  end,
}
