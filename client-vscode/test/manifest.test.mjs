// Checks the manifest inside the built .vsix (run after `npm run package`).
// SPECLS_VSIX names the file; default: the newest specls-*.vsix here.
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import yauzl from 'yauzl';

const ext = join(dirname(fileURLToPath(import.meta.url)), '..');
const vsix =
  process.env.SPECLS_VSIX ??
  readdirSync(ext)
    .filter((f) => /^specls-.*\.vsix$/.test(f))
    .map((f) => join(ext, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];

/** name -> Buffer of every entry of the zip. */
function readZip(file) {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const entries = new Map();
      zip.on('error', reject);
      zip.on('end', () => resolve(entries));
      zip.on('entry', (entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks = [];
          stream.on('data', (c) => chunks.push(c));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

const files = vsix ? await readZip(vsix) : new Map();
const manifest = files.has('extension/package.json') ? JSON.parse(files.get('extension/package.json').toString('utf8')) : {};

test('a .vsix was built', () => {
  assert.ok(vsix, 'run `npm run package` first');
  assert.ok(files.has('extension.vsixmanifest'));
});

test('it ships the bundle, the grammar, the webview script and the README, not the sources', () => {
  for (const f of ['extension/dist/extension.js', 'extension/syntaxes/specmd.tmLanguage.json', 'extension/media/mermaid.min.js', 'extension/readme.md']) {
    assert.ok(files.has(f), f);
  }
  for (const f of files.keys()) {
    assert.ok(!/^extension\/(src|test|scripts|node_modules|out)\//.test(f), `unexpected ${f}`);
    assert.ok(!f.endsWith('.map'), `source map ${f}`);
  }
});

test('identity and engine', () => {
  assert.equal(manifest.name, 'specls');
  assert.ok(manifest.publisher);
  assert.match(manifest.engines.vscode, /^\^1\.\d+\.\d+$/);
  assert.equal(manifest.main, './dist/extension.js');
});

test('activation on every spec layout and the lock', () => {
  const ev = manifest.activationEvents;
  for (const e of [
    'workspaceContains:**/*.spec.md',
    'workspaceContains:specs/*/spec.md',
    'workspaceContains:.specify/**',
    'workspaceContains:.kiro/specs/**',
    'workspaceContains:openspec/**',
    'workspaceContains:spec.lock',
  ]) {
    assert.ok(ev.includes(e), e);
  }
});

test('workspace trust: limited, generator settings restricted', () => {
  const t = manifest.capabilities.untrustedWorkspaces;
  assert.equal(t.supported, 'limited');
  assert.ok(t.description);
  for (const s of ['specls.server.path', 'specls.generators.allow']) assert.ok(t.restrictedConfigurations.includes(s), s);
});

test('commands, menus and the keybinding', () => {
  const c = manifest.contributes;
  const ids = c.commands.map((x) => x.command);
  for (const id of [
    'specls.regenerateSection',
    'specls.regenerateAllStale',
    'specls.stampSection',
    'specls.showSectionOutputs',
    'specls.showDependencyGraph',
    'specls.showTraceabilityMatrix',
    'specls.restartServer',
  ]) {
    assert.ok(ids.includes(id), id);
  }
  // The server's own command names are registered by vscode-languageclient; ours must not clash.
  for (const serverCmd of ['specls.regenerate', 'specls.regenerateStale', 'specls.stamp', 'specls.showOutputs', 'specls.graph', 'specls.status', 'specls.openSection', 'specls.showDiff', 'specls.trace']) {
    assert.ok(!ids.includes(serverCmd), serverCmd);
  }
  for (const cmd of c.commands) assert.equal(cmd.category, 'specls');
  assert.ok(c.menus['editor/title'].some((m) => m.command === 'specls.regenerateSection'));
  assert.ok(c.menus['editor/context'].some((m) => m.command === 'specls.regenerateSection'));
  const kb = c.keybindings.find((k) => k.command === 'specls.regenerateSection');
  assert.ok(kb && kb.key && kb.when.includes('specls.specFileActive'));
  for (const m of [...c.menus['editor/title'], ...c.menus['editor/context'], ...c.menus.commandPalette, ...c.keybindings]) {
    assert.ok(ids.includes(m.command), `menu refers to unknown ${m.command}`);
  }
});

test('settings have descriptions', () => {
  const props = manifest.contributes.configuration.properties;
  for (const key of ['specls.server.path', 'specls.generators.allow', 'specls.debounce', 'specls.trace.server']) {
    assert.ok(props[key], key);
    assert.ok((props[key].markdownDescription ?? props[key].description ?? '').length > 20, `${key} description`);
  }
  assert.deepEqual(props['specls.trace.server'].enum, ['off', 'messages', 'verbose']);
});

test('the grammar is an injection into Markdown and matches grammars/', async () => {
  const g = manifest.contributes.grammars.find((x) => x.scopeName === 'specmd.injection');
  assert.ok(g);
  assert.deepEqual(g.injectTo, ['text.html.markdown']);
  const shipped = files.get('extension/' + g.path.replace(/^\.\//, '')).toString('utf8');
  const { readFileSync } = await import('node:fs');
  assert.equal(shipped, readFileSync(join(ext, '..', 'grammars', 'specmd.tmLanguage.json'), 'utf8'));
  const grammar = JSON.parse(shipped);
  assert.equal(grammar.scopeName, 'specmd.injection');
  assert.match(grammar.injectionSelector, /^L:text\.html\.markdown/);
});

const target = /specls-([a-z0-9]+-[a-z0-9]+)-\d+\.\d+\.\d+\.vsix$/.exec(vsix ?? '')?.[1];
test('a --bundle-server build ships the server for its platform', { skip: !target && 'not a bundled build' }, () => {
  const xml = files.get('extension.vsixmanifest').toString('utf8');
  assert.match(xml, new RegExp(`TargetPlatform="${target}"`));
  for (const f of ['extension/bundled/libs/specls/__init__.py', 'extension/bundled/libs/specls/__main__.py', 'extension/bundled/libs/pygls/__init__.py', 'extension/bundled/README.txt']) {
    assert.ok(files.has(f), f);
  }
  assert.ok(![...files.keys()].some((f) => f.includes('__pycache__')), 'no bytecode caches');
});
