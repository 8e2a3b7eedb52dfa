import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { discoverServer, type DiscoveryInput, expandPath, looksLikePython, type Probe } from '../src/discovery';
import { nodeProbe } from '../src/probe';

/** A probe over a fake machine: executables, PATH names, interpreters that have specls. */
function fakeProbe(opts: { exec?: string[]; path?: Record<string, string>; importable?: string[]; bundledOk?: string[] }): Probe & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async which(name) {
      calls.push(`which ${name}`);
      return opts.path?.[name];
    },
    async isExecutable(p) {
      calls.push(`exec ${p}`);
      return (opts.exec ?? []).includes(p);
    },
    async canImportSpecls(py, pythonPath) {
      calls.push(`import ${py}${pythonPath ? ' +' + pythonPath : ''}`);
      return pythonPath ? (opts.bundledOk ?? []).includes(py) : (opts.importable ?? []).includes(py);
    },
  };
}

const base: DiscoveryInput = { settingPath: '', extraArgs: [], platform: 'linux', homeDir: '/home/u', workspaceFolder: '/ws' };

test('the setting wins: an executable', async () => {
  const d = await discoverServer({ ...base, settingPath: '/opt/specls/bin/specls', extraArgs: ['--log-level', 'debug'] }, fakeProbe({ exec: ['/opt/specls/bin/specls'], path: { specls: '/usr/bin/specls' } }));
  assert.ok(d.ok);
  assert.deepEqual(d.server, { command: '/opt/specls/bin/specls', args: ['serve', '--log-level', 'debug'], source: 'setting' });
});

test('the setting may name a Python interpreter', async () => {
  const d = await discoverServer({ ...base, settingPath: '~/venv/bin/python3.12' }, fakeProbe({ importable: ['/home/u/venv/bin/python3.12'] }));
  assert.ok(d.ok);
  assert.deepEqual(d.server, { command: '/home/u/venv/bin/python3.12', args: ['-m', 'specls', 'serve'], source: 'setting' });
});

test('a broken setting is reported, not silently replaced by PATH', async () => {
  const probe = fakeProbe({ path: { specls: '/usr/bin/specls' } });
  const d = await discoverServer({ ...base, settingPath: '${workspaceFolder}/.venv/bin/specls' }, probe);
  assert.equal(d.ok, false);
  assert.match(d.ok ? '' : d.reason, /specls\.server\.path/);
  assert.deepEqual(d.attempts.map((a) => a.candidate), ['/ws/.venv/bin/specls']);
  assert.ok(!probe.calls.some((c) => c.startsWith('which')));
});

test('the Python extension interpreter: its specls script first', async () => {
  const d = await discoverServer({ ...base, pythonInterpreter: '/ws/.venv/bin/python' }, fakeProbe({ exec: ['/ws/.venv/bin/specls'], importable: ['/ws/.venv/bin/python'] }));
  assert.ok(d.ok);
  assert.deepEqual(d.server, { command: '/ws/.venv/bin/specls', args: ['serve'], source: 'python-extension' });
});

test('the Python extension interpreter: else python -m specls', async () => {
  const d = await discoverServer({ ...base, pythonInterpreter: '/ws/.venv/bin/python' }, fakeProbe({ importable: ['/ws/.venv/bin/python'], path: { specls: '/usr/bin/specls' } }));
  assert.ok(d.ok);
  assert.deepEqual(d.server, { command: '/ws/.venv/bin/python', args: ['-m', 'specls', 'serve'], source: 'python-extension' });
});

test('Windows: the script beside the interpreter is specls.exe', async () => {
  const d = await discoverServer({ ...base, platform: 'win32', pythonInterpreter: 'C:\\ws\\.venv\\Scripts\\python.exe' }, fakeProbe({ exec: ['C:\\ws\\.venv\\Scripts\\specls.exe'] }));
  assert.ok(d.ok);
  assert.equal(d.server.command, 'C:\\ws\\.venv\\Scripts\\specls.exe');
});

test('then specls on PATH', async () => {
  const d = await discoverServer({ ...base, pythonInterpreter: '/usr/bin/python3' }, fakeProbe({ path: { specls: '/home/u/.local/bin/specls', python3: '/usr/bin/python3' } }));
  assert.ok(d.ok);
  assert.deepEqual(d.server, { command: '/home/u/.local/bin/specls', args: ['serve'], source: 'path' });
  assert.deepEqual(d.attempts.map((a) => a.source), ['python-extension', 'path']);
});

test('then python3 -m specls', async () => {
  const d = await discoverServer(base, fakeProbe({ path: { python3: '/usr/bin/python3' }, importable: ['/usr/bin/python3'] }));
  assert.ok(d.ok);
  assert.deepEqual(d.server, { command: '/usr/bin/python3', args: ['-m', 'specls', 'serve'], source: 'python3' });
});

test('then the bundled server, with PYTHONPATH', async () => {
  const d = await discoverServer({ ...base, bundledLibs: '/ext/bundled/libs' }, fakeProbe({ path: { python3: '/usr/bin/python3' }, bundledOk: ['/usr/bin/python3'] }));
  assert.ok(d.ok);
  assert.deepEqual(d.server, { command: '/usr/bin/python3', args: ['-m', 'specls', 'serve'], env: { PYTHONPATH: '/ext/bundled/libs' }, source: 'bundled' });
});

test('nothing works: every attempt is listed', async () => {
  const d = await discoverServer({ ...base, bundledLibs: '/ext/bundled/libs' }, fakeProbe({ path: { python3: '/usr/bin/python3' } }));
  assert.equal(d.ok, false);
  assert.deepEqual(d.attempts.map((a) => a.source), ['path', 'python3', 'bundled']);
});

test('looksLikePython and expandPath', () => {
  for (const p of ['python', 'python3', '/usr/bin/python3.12', 'C:\\Py\\python.exe', 'py.exe']) assert.ok(looksLikePython(p), p);
  for (const p of ['specls', '/x/python3/bin/specls', 'specls.exe', 'pythonista']) assert.ok(!looksLikePython(p), p);
  assert.equal(expandPath('~/x', { homeDir: '/h' }), '/h/x');
  assert.equal(expandPath('${userHome}/x', { homeDir: '/h' }), '/h/x');
  assert.equal(expandPath(' ${workspaceFolder}/.venv/bin/specls ', { workspaceFolder: '/w' }), '/w/.venv/bin/specls');
});

// The real probe against this repository's virtualenv, when there is one.
const venv = join(__dirname, '..', '..', '..', '.venv', 'bin');
test('nodeProbe finds the repository venv', { skip: !existsSync(join(venv, 'python')) }, async () => {
  const probe = nodeProbe({ PATH: `${venv}:/usr/bin:/bin` }, 'linux');
  assert.equal(await probe.which('python'), join(venv, 'python'));
  assert.equal(await probe.isExecutable(join(venv, 'python')), true);
  assert.equal(await probe.isExecutable(join(venv, 'no-such-thing')), false);
  assert.equal(await probe.canImportSpecls(join(venv, 'python')), true);
  const d = await discoverServer({ ...base, settingPath: join(venv, 'specls') }, probe);
  assert.ok(d.ok);
});
