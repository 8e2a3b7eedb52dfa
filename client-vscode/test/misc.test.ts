import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { escapeHtml, graphHtml, graphMarkdown, makeNonce } from '../src/graph';
import { summarizeRegen } from '../src/regen';
import { isSpecPath, normalizeUri, outputSet } from '../src/specFiles';

test('spec layouts', () => {
  for (const p of [
    'specs/auth.spec.md',
    '/ws/docs/cart.spec.md',
    'specs/001-photo-albums/spec.md',
    'specs/001-photo-albums/tasks.md',
    '.specify/memory/constitution.md',
    'memory/constitution.md',
    '.kiro/specs/cart/requirements.md',
    '.kiro/specs/cart/design.md',
    'openspec/specs/auth/spec.md',
    'openspec/changes/add-2fa/proposal.md',
    'C:\\ws\\specs\\login.spec.md',
  ]) {
    assert.ok(isSpecPath(p), p);
  }
  for (const p of ['README.md', 'docs/guide.md', 'specs/readme.md', 'src/spec.md.py', 'specs/a/b/spec.md']) assert.ok(!isSpecPath(p), p);
});

test('output URIs are compared normalised', () => {
  const set = outputSet([['file:///C%3A/ws/src/x.py'], undefined, ['file:///ws/a.py']]);
  assert.ok(set.has(normalizeUri('file:///c%3A/ws/src/x.py')));
  assert.ok(set.has('file:///ws/a.py'));
});

test('regeneration summaries', () => {
  assert.equal(summarizeRegen({ regenerated: ['specs/a.spec.md#login'] }).message, 'regenerated specs/a.spec.md#login');
  assert.equal(summarizeRegen({ regenerated: ['a', 'b'], failed: [], refused: [] }).message, 'regenerated 2 sections');
  const s = summarizeRegen({ regenerated: [], failed: [{ unit: 'x#y', message: 'timeout' }], refused: [{ unit: 'z', message: 'edited' }] });
  assert.equal(s.message, 'x#y failed: timeout; 1 refused (edited by hand)');
  assert.deepEqual(s.refused, [{ unit: 'z', message: 'edited' }]);
  assert.equal(summarizeRegen({}).message, 'nothing to regenerate');
  assert.equal(summarizeRegen({ failed: 'nope' as never }).failed.length, 0);
});

test('graph page: escaped source, nonce-only scripts', () => {
  const nonce = makeNonce(() => 0.5);
  assert.equal(nonce.length, 32);
  const html = graphHtml({ cspSource: 'vscode-resource:', mermaidUri: 'vscode-resource:/m.js', source: 'graph LR\n a["<b>x</b>"] --> b', nonce, theme: 'dark' });
  assert.ok(html.includes(escapeHtml('a["<b>x</b>"]')));
  assert.ok(!html.includes('<b>x</b>'));
  assert.match(html, new RegExp(`script-src 'nonce-${nonce}'`));
  assert.equal((html.match(/<script /g) ?? []).length, (html.match(new RegExp(`<script nonce="${nonce}"`, 'g')) ?? []).length);
  assert.match(graphMarkdown('graph LR\n a --> b\n'), /```mermaid\ngraph LR\n a --> b\n```/);
});

test('only src/extension.ts imports vscode', () => {
  const src = join(__dirname, '..', '..', 'src');
  for (const f of readdirSync(src)) {
    if (f === 'extension.ts') continue;
    assert.doesNotMatch(readFileSync(join(src, f), 'utf8'), /from ['"]vscode['"]|require\(['"]vscode['"]\)/, f);
  }
});
