// Which files the client treats as specs: exactly what the server's globs say,
// once the server sent them for the file's root, and "not known" before.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSpecFile, parseGlobs, relativePath, uriPath } from '../src/specFiles';
import { ClientState } from '../src/state';

// Globs as a status carries them: here the server's default include when this was
// written (server/specls/config.py). The client must apply whatever arrives.
const DEFAULTS = {
  include: [
    '**/*.spec.md',
    'specs/*/spec.md',
    'specs/*/plan.md',
    'specs/*/tasks.md',
    'memory/constitution.md',
    '.specify/memory/constitution.md',
    '.kiro/specs/*/requirements.md',
    '.kiro/specs/*/design.md',
    '.kiro/specs/*/tasks.md',
    'openspec/specs/**/spec.md',
    'openspec/changes/**/*.md',
  ],
  exclude: [],
};

test('before the server reported a root, nothing is known to be a spec', () => {
  const state = new ClientState();
  assert.equal(state.isSpec('file:///ws/specs/cart.spec.md'), undefined);
  assert.equal(state.isSpec('file:///ws/README.md'), undefined);
});

test("after the root's status, its globs decide, relative to the root", () => {
  const state = new ClientState();
  state.onStatus({ root: 'file:///ws', counts: {}, outputs: [], busy: false, globs: DEFAULTS });
  for (const rel of [
    'specs/cart.spec.md',
    'docs/deep/er/cart.spec.md',
    'specs/001-photo-albums/spec.md',
    'specs/001-photo-albums/tasks.md',
    '.specify/memory/constitution.md',
    'memory/constitution.md',
    '.kiro/specs/cart/requirements.md',
    'openspec/specs/auth/spec.md',
    'openspec/changes/add-2fa/proposal.md',
  ]) {
    assert.equal(state.isSpec(`file:///ws/${rel}`), true, rel);
  }
  // Not specs for the server; the client's old list of its own said yes to the last four.
  for (const rel of ['README.md', 'docs/guide.md', 'specs/readme.md', 'specs/a/b/spec.md', 'src/spec.md.py', 'x/specs/001/spec.md', '.specify/templates/spec.md', '.kiro/specs/cart/notes.md', 'openspec/project.md']) {
    assert.equal(state.isSpec(`file:///ws/${rel}`), false, rel);
  }
  assert.equal(state.isSpec('file:///elsewhere/a.spec.md'), undefined, 'outside every reported root');
  assert.equal(state.isSpec('untitled:Untitled-1'), undefined);
});

test("a root's own configuration replaces the defaults; exclude wins over include", () => {
  const state = new ClientState();
  state.onStatus({ root: 'file:///ws', globs: DEFAULTS });
  assert.equal(state.isSpec('file:///ws/notes/idea.md'), false);
  state.onStatus({ root: 'file:///ws', globs: { include: ['notes/**/*.md', '**/*.spec.md'], exclude: ['notes/drafts/**', '**/old.spec.md'] } });
  assert.equal(state.isSpec('file:///ws/notes/idea.md'), true);
  assert.equal(state.isSpec('file:///ws/notes/drafts/idea.md'), false);
  assert.equal(state.isSpec('file:///ws/a/old.spec.md'), false);
  assert.equal(state.isSpec('file:///ws/specs/001-x/spec.md'), false, 'not in this root\'s include');
});

test('the deepest reported root that contains the file decides', () => {
  const roots = [
    { root: 'file:///ws', globs: { include: ['**/*.md'], exclude: [] } },
    { root: 'file:///ws/sub', globs: { include: ['specs/*.spec.md'], exclude: [] } },
    { root: 'file:///ws/subway', globs: { include: [], exclude: [] } },
  ];
  assert.equal(isSpecFile('file:///ws/sub/README.md', roots), false);
  assert.equal(isSpecFile('file:///ws/sub/specs/a.spec.md', roots), true);
  assert.equal(isSpecFile('file:///ws/README.md', roots), true);
  assert.equal(isSpecFile('file:///ws/subway/README.md', roots), false);
  assert.equal(isSpecFile('file:///ws/subx/README.md', [...roots].reverse()), true, 'a sibling with a common prefix is not a parent');
});

test('URIs are compared as paths: percent-encoding, non-ASCII, Windows drive letters', () => {
  const include = { include: ['spécs/**/*.spec.md'], exclude: [] };
  assert.equal(isSpecFile('file:///home/me/my%20ws/sp%C3%A9cs/%F0%9F%9B%92.spec.md', [{ root: 'file:///home/me/my ws', globs: include }]), true);
  assert.equal(isSpecFile('file:///c%3A/Users/me/ws/sp%C3%A9cs/a.spec.md', [{ root: 'file:///C:/Users/me/ws/', globs: include }]), true);
  assert.equal(uriPath('file:///c%3A/ws/'), 'c:/ws');
  assert.equal(uriPath('file://server/share/x.md'), '//server/share/x.md');
  assert.equal(uriPath('file:///'), '/');
  assert.equal(uriPath('file:///bad%E0%A4%A'), undefined);
  assert.equal(uriPath('vscode-remote://ssh/x.md'), undefined);
  assert.equal(relativePath('/', '/a/b.md'), 'a/b.md');
  assert.equal(relativePath('/ws', '/wsx/b.md'), undefined);
});

test('a status without usable globs (an older server) leaves the file unknown', () => {
  const state = new ClientState();
  state.onStatus({ root: 'file:///ws', counts: { fresh: 1 } });
  assert.equal(state.isSpec('file:///ws/a.spec.md'), undefined);
  for (const bad of [null, 'x', { include: 'a.md' }, { include: ['a.md', 3] }, { include: ['a.md'], exclude: {} }]) {
    assert.equal(parseGlobs(bad), undefined, JSON.stringify(bad));
  }
  assert.deepEqual(parseGlobs({ include: ['a.md'] }), { include: ['a.md'], exclude: [] });
});

test('a stopped server forgets its roots: spec files and outputs are unknown again', () => {
  const state = new ClientState();
  let changes = 0;
  const sub = state.onDidChange(() => changes++);
  state.onStatus({ root: 'file:///ws', outputs: ['file:///ws/src/cart.py'], globs: DEFAULTS });
  assert.equal(state.isSpec('file:///ws/specs/cart.spec.md'), true);
  assert.ok(state.isOutput('file:///ws/src/cart.py'));
  state.forgetRoots();
  assert.equal(state.isSpec('file:///ws/specs/cart.spec.md'), undefined);
  assert.ok(!state.isOutput('file:///ws/src/cart.py'));
  assert.equal(changes, 2);
  sub.dispose();
  state.setServer('running');
  assert.equal(changes, 2);
  assert.equal(state.server, 'running');
});

test('a regeneration shows as busy while it runs, also when it fails', async () => {
  const state = new ClientState();
  state.setServer('running');
  const seen: boolean[] = [];
  await state.busy(async () => seen.push(state.statusInput(true).regenerating));
  await assert.rejects(state.busy(async () => Promise.reject(new Error('boom'))));
  assert.deepEqual(seen, [true]);
  assert.equal(state.statusInput(true).regenerating, false);
});
