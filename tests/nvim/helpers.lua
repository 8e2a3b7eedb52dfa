-- Helpers for the headless Neovim tests: named checks that assert, waits on
-- async LSP results, and an exit status for pytest (`cq 1` on any failure).
local H = {}

H.passed, H.failed, H.skipped = 0, 0, 0
H.results = {} ---@type table<string, boolean>

function H.log(fmt, ...)
  io.stdout:write((select('#', ...) > 0 and fmt:format(...) or fmt) .. '\n')
  io.stdout:flush()
end

local function fail(msg, level)
  error(msg, (level or 1) + 1)
end

function H.eq(want, got, what)
  if not vim.deep_equal(want, got) then
    fail(('%s: want %s, got %s'):format(what or 'value', vim.inspect(want), vim.inspect(got)), 2)
  end
end

function H.truthy(v, what)
  if not v then
    fail((what or 'expected a true value') .. ', got ' .. vim.inspect(v), 2)
  end
  return v
end

function H.contains(haystack, needle, what)
  if type(haystack) ~= 'string' or not haystack:find(needle, 1, true) then
    fail(('%s: %q not found in %s'):format(what or 'text', needle, vim.inspect(haystack)), 2)
  end
end

--- Waits up to `ms` for `pred()` to return a truthy value (the event loop runs
--- meanwhile, so LSP messages are processed); returns it or fails with `what`.
---@generic T
---@param ms integer
---@param pred fun(): T
---@param what string|fun(): string
---@return T
function H.wait(ms, pred, what)
  local value
  local ok = vim.wait(ms, function()
    local pok, v = pcall(pred)
    if pok and v then
      value = v
      return true
    end
    return false
  end, 25)
  if not ok then
    if type(what) == 'function' then
      what = what()
    end
    fail(('timed out after %d ms waiting for %s'):format(ms, what), 2)
  end
  return value
end

--- Records a check as skipped, with the reason (printed as `skip - name: why`).
function H.skip(name, why)
  H.skipped = H.skipped + 1
  H.results[name] = false
  H.log('skip - %s: %s', name, why)
end

--- Runs a named check; a failure is recorded (and printed) but the next
--- checks still run. Checks listed in `needs` must have passed, else they fail.
---@param name string
---@param fn fun()
---@param needs? string[]
function H.check(name, fn, needs)
  for _, dep in ipairs(needs or {}) do
    if not H.results[dep] then
      H.failed = H.failed + 1
      H.results[name] = false
      H.log('not ok - %s (skipped: %q failed)', name, dep)
      return false
    end
  end
  local start = vim.uv.hrtime()
  local ok, err = xpcall(fn, debug.traceback)
  local ms = (vim.uv.hrtime() - start) / 1e6
  H.results[name] = ok
  if ok then
    H.passed = H.passed + 1
    H.log('ok - %s (%d ms)', name, ms)
  else
    H.failed = H.failed + 1
    H.log('not ok - %s (%d ms)\n    %s', name, ms, tostring(err):gsub('\n', '\n    '))
  end
  return ok
end

--- Prints the summary and quits: exit status 0 only if every check passed.
function H.finish()
  if H.failed > 0 and H.on_failure then
    pcall(H.on_failure)
  end
  H.log('%d passed, %d failed, %d skipped', H.passed, H.failed, H.skipped)
  if H.failed > 0 or H.passed == 0 then
    vim.cmd('cq 1')
  else
    vim.cmd('qa!')
  end
end

--- Run `body` and finish, turning any uncaught error into a failure.
function H.run(body)
  local ok, err = xpcall(body, debug.traceback)
  if not ok then
    H.failed = H.failed + 1
    H.log('not ok - test script error\n    %s', tostring(err):gsub('\n', '\n    '))
  end
  H.finish()
end

--- Diagnostics of `bufnr` whose code is a specls code (`SPECnnn`), optionally only `code`.
---@param bufnr integer
---@param code? string
function H.spec_diagnostics(bufnr, code)
  return vim.tbl_filter(function(d)
    local c = d.code and tostring(d.code) or ''
    return c:match('^SPEC%d+$') and (not code or c == code)
  end, vim.diagnostic.get(bufnr))
end

function H.describe_diagnostics(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    out[#out + 1] = ('%d:%d %s %s'):format(d.lnum, d.col, tostring(d.code), d.message)
  end
  return #out > 0 and table.concat(out, ' | ') or '(none)'
end

--- Opens `path` in the current window and returns its buffer.
function H.edit(path)
  vim.cmd.edit(vim.fn.fnameescape(path))
  return vim.api.nvim_get_current_buf()
end

--- The specls client attached to `bufnr`, waiting up to `ms` for it.
function H.wait_client(bufnr, ms)
  return H.wait(ms or 15000, function()
    return vim.lsp.get_clients({ bufnr = bufnr, name = 'specls' })[1]
  end, ('a specls client attached to %s'):format(vim.api.nvim_buf_get_name(bufnr)))
end

--- Synchronous LSP request on `bufnr`; fails on error or timeout.
function H.request(client, method, params, bufnr, ms)
  local resp, err = client:request_sync(method, params, ms or 10000, bufnr)
  if not resp then
    fail(('%s: %s'):format(method, tostring(err)), 2)
  end
  if resp.err then
    fail(('%s: %s'):format(method, vim.inspect(resp.err)), 2)
  end
  return resp.result
end

--- Collects `User SpeclsCommand` events (fired when a :Specls command's
--- response arrived).
H.command_results = {}
vim.api.nvim_create_autocmd('User', {
  pattern = 'SpeclsCommand',
  callback = function(ev)
    table.insert(H.command_results, ev.data)
  end,
})

--- Runs an Ex command that triggers a specls executeCommand and waits for its response.
function H.specls_command(ex, command, ms)
  local before = #H.command_results
  vim.cmd(ex)
  return H.wait(ms or 30000, function()
    for i = before + 1, #H.command_results do
      if H.command_results[i].command == command then
        return H.command_results[i]
      end
    end
  end, ('the response to %s'):format(ex))
end

--- Reads a file from disk.
function H.read(path)
  local fd = assert(io.open(path, 'r'))
  local text = fd:read('*a')
  fd:close()
  return text
end

--- Captures `vim.notify` messages (commands report through it).
H.notifications = {}
local orig_notify = vim.notify
vim.notify = function(msg, level, opts)
  table.insert(H.notifications, { msg = msg, level = level })
  H.log('    [notify %s] %s', tostring(level), tostring(msg))
  return orig_notify(msg, level, opts)
end

return H
