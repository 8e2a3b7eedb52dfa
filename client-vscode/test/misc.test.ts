import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { escapeHtml, graphHtml, graphMarkdown, makeNonce } from '../src/graph';
import { summarizeRegen } from '../src/regen';
import { normalizeUri, outputSet } from '../src/specFiles';
import { TRACE_CSP, traceHtml } from '../src/trace';

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

test('only the VS Code side imports vscode', () => {
  // The same list as the no-restricted-imports exception in eslint.config.mjs.
  const host = ['extension.ts', 'client.ts', 'commands.ts', 'graphPanel.ts', 'tracePanel.ts', 'python.ts', 'settings.ts', 'statusBar.ts'];
  const src = join(__dirname, '..', '..', 'src');
  const files = readdirSync(src);
  for (const f of host) assert.ok(files.includes(f), `${f} is listed but does not exist`);
  const eslint = readFileSync(join(__dirname, '..', '..', 'eslint.config.mjs'), 'utf8');
  for (const f of host) assert.ok(eslint.includes(`'src/${f}'`), `${f} is not exempted in eslint.config.mjs`);
  for (const f of files) {
    if (host.includes(f)) continue;
    assert.doesNotMatch(readFileSync(join(src, f), 'utf8'), /from ['"]vscode['"]|require\(['"]vscode['"]\)/, f);
  }
});

test('trace page: our CSP first in the head, none of the page\'s own, nothing fetched or run', () => {
  const page = '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="default-src *">\n<title>Traceability</title><style>b{color:red}</style></head><body><b>FR-001 €</b></body></html>\n';
  const html = traceHtml(page);
  assert.ok(html.includes(`<head>\n<meta http-equiv="Content-Security-Policy" content="${TRACE_CSP}">`));
  assert.equal((html.match(/Content-Security-Policy/g) ?? []).length, 1);
  assert.ok(html.includes('<b>FR-001 €</b>') && html.includes('<style>b{color:red}</style>'));
  assert.match(TRACE_CSP, /default-src 'none'/);
  assert.doesNotMatch(TRACE_CSP, /script-src|https?:|\*/);
  // not a page (an old server, an error text): shown as text, under the same CSP
  const text = traceHtml('<img src=x onerror=alert(1)>');
  assert.ok(text.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(!text.includes('<img'));
  assert.ok(text.includes(TRACE_CSP));
});
