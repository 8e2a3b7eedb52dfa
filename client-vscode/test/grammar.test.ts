// Tokenizes Markdown with the injection grammar through vscode-textmate (the
// engine VS Code uses). The host is VS Code's own Markdown grammar when
// SPECLS_MARKDOWN_GRAMMAR names it (ci.sh points it at code-server's copy),
// else a small stand-in with the constructs the injection must avoid.
import * as assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

const root = join(__dirname, '..', '..', '..');
const injectionPath = join(root, 'grammars', 'specmd.tmLanguage.json');

const STAND_IN_MARKDOWN = {
  scopeName: 'text.html.markdown',
  patterns: [
    { begin: '^(```)(\\w*).*$', end: '^(```)\\s*$', name: 'markup.fenced_code.block.markdown' },
    { match: '`[^`]*`', name: 'markup.inline.raw.string.markdown' },
    {
      match: '^(#{1,6})\\s+(.*?)\\s*$',
      name: 'markup.heading.markdown',
      captures: {
        '1': { name: 'punctuation.definition.heading.markdown' },
        '2': { name: 'entity.name.section.markdown', patterns: [{ match: '\\*\\*[^*]+\\*\\*', name: 'markup.bold.markdown' }] },
      },
    },
    { match: '\\[([^\\]]*)\\]\\(([^)]*)\\)', name: 'meta.link.inline.markdown' },
    { begin: '(?<!\\w)_(?=\\S)', end: '_', name: 'markup.italic.markdown' },
  ],
};

const realMarkdown = process.env.SPECLS_MARKDOWN_GRAMMAR;

async function makeRegistry(): Promise<vsctm.Registry> {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  return new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName: string) => {
      if (scopeName === 'text.html.markdown') {
        const raw = realMarkdown && existsSync(realMarkdown) ? readFileSync(realMarkdown, 'utf8') : JSON.stringify(STAND_IN_MARKDOWN);
        return vsctm.parseRawGrammar(raw, 'markdown.json');
      }
      if (scopeName === 'specmd.injection') return vsctm.parseRawGrammar(readFileSync(injectionPath, 'utf8'), injectionPath);
      return null;
    },
    getInjections: (scopeName: string) => (scopeName === 'text.html.markdown' ? ['specmd.injection'] : undefined),
  });
}

let grammarP: Promise<vsctm.IGrammar> | undefined;
function grammar(): Promise<vsctm.IGrammar> {
  grammarP ??= makeRegistry().then(async (r) => {
    const g = await r.loadGrammar('text.html.markdown');
    if (!g) throw new Error('no markdown grammar');
    return g;
  });
  return grammarP;
}

/** Tokens of a document as [text, scopes] per line. */
async function tokenize(text: string): Promise<{ text: string; scopes: string[] }[][]> {
  const g = await grammar();
  let stack = vsctm.INITIAL;
  const lines: { text: string; scopes: string[] }[][] = [];
  for (const line of text.split('\n')) {
    const r = g.tokenizeLine(line, stack);
    lines.push(r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes })));
    stack = r.ruleStack;
  }
  return lines;
}

/** The innermost specls scope of the token whose text is `piece`, searching all lines. */
async function scopeOf(doc: string, piece: string): Promise<string | undefined> {
  for (const line of await tokenize(doc)) {
    for (const t of line) {
      if (t.text === piece) return [...t.scopes].reverse().find((s) => s.endsWith('.specls')) ?? 'none';
    }
  }
  return undefined;
}

test(`uses ${realMarkdown && existsSync(realMarkdown) ? "VS Code's Markdown grammar" : 'a stand-in Markdown grammar'}`, () => {
  assert.ok(true);
});

test('directives: keyword, path and fragment', async () => {
  const doc = '## Login {#login}\n[@generate](../src/auth/login.py) [@generate](../src/auth/session.py#Session)\n[@use](users.spec.md#user-model) [@test](../tests/test_login.py)\n';
  assert.equal(await scopeOf(doc, '@generate'), 'keyword.control.directive.specls');
  assert.equal(await scopeOf(doc, '@use'), 'keyword.control.directive.specls');
  assert.equal(await scopeOf(doc, '@test'), 'keyword.control.directive.specls');
  assert.equal(await scopeOf(doc, '../src/auth/login.py'), 'markup.underline.link.specls');
  assert.equal(await scopeOf(doc, 'Session'), 'entity.name.function.symbol.specls');
  assert.equal(await scopeOf(doc, 'user-model'), 'entity.name.tag.section-id.specls');
});

test('@describe and a directive with a title', async () => {
  const doc = 'See [@describe](../src/legacy.py#Legacy.run "hand-written").\n';
  assert.equal(await scopeOf(doc, '@describe'), 'keyword.control.directive.specls');
  assert.equal(await scopeOf(doc, 'Legacy.run'), 'entity.name.function.symbol.specls');
});

test('an ordinary link is not a directive', async () => {
  for (const t of (await tokenize('[docs](../README.md) and [@generated](x.py)\n'))[0]) {
    assert.ok(!t.scopes.some((s) => s.endsWith('.specls')), `"${t.text}" got ${t.scopes.join(' ')}`);
  }
});

test('section IDs in headings', async () => {
  const doc = '# Shop\n\n## Login flow {#auth.login}\n';
  assert.equal(await scopeOf(doc, 'auth.login'), 'entity.name.tag.section-id.specls');
});

test('requirement and task IDs', async () => {
  const doc = '- **FR-001**: System MUST allow login\n- **SC-002**: fast\n- [ ] T012 [P] [US1] Create model in src/models/user.py (covers: FR-001)\n';
  assert.equal(await scopeOf(doc, 'FR-001'), 'constant.other.requirement-id.specls');
  assert.equal(await scopeOf(doc, 'SC-002'), 'constant.other.requirement-id.specls');
  assert.equal(await scopeOf(doc, 'T012'), 'constant.other.requirement-id.specls');
  assert.equal(await scopeOf(doc, 'US1'), 'constant.other.requirement-id.specls');
  assert.equal(await scopeOf(doc, 'P'), 'keyword.other.parallel.specls');
  assert.equal(await scopeOf(doc, 'covers:'), 'keyword.other.trace.specls');
  assert.equal(await scopeOf(doc, 'MUST'), 'keyword.other.ears.specls');
});

test('Kiro requirement trailers', async () => {
  const doc = '- [ ] 2. Build the cart\n  - _Requirements: 1.1, 2.3, 4.1-4.6_\n';
  assert.equal(await scopeOf(doc, 'Requirements:'), 'keyword.other.trace.specls');
  assert.equal(await scopeOf(doc, '1.1'), 'constant.other.requirement-id.specls');
  assert.equal(await scopeOf(doc, '2.3'), 'constant.other.requirement-id.specls');
  assert.equal(await scopeOf(doc, '4.6'), 'constant.other.requirement-id.specls');
});

test('NEEDS CLARIFICATION markers', async () => {
  const doc = 'Users log in with [NEEDS CLARIFICATION: auth method not specified - email/password, SSO?].\n';
  assert.equal(
    await scopeOf(doc, '[NEEDS CLARIFICATION: auth method not specified - email/password, SSO?]'),
    'invalid.deprecated.clarification.specls',
  );
});

test('OpenSpec keywords and EARS', async () => {
  const doc = '## ADDED Requirements\n### Requirement: Checkout\nWHEN the cart is paid THE SYSTEM SHALL send a receipt.\n#### Scenario: Paid cart\n';
  assert.equal(await scopeOf(doc, 'ADDED'), 'keyword.other.delta.specls');
  assert.equal(await scopeOf(doc, 'Requirement'), 'keyword.other.requirement.specls');
  assert.equal(await scopeOf(doc, 'Scenario'), 'keyword.other.requirement.specls');
  assert.equal(await scopeOf(doc, 'WHEN'), 'keyword.other.ears.specls');
  assert.equal(await scopeOf(doc, 'SHALL'), 'keyword.other.ears.specls');
});

test('nothing inside fenced or inline code', async () => {
  const doc = 'Text\n\n```python file=src/x.py\n# [@generate](src/y.py) FR-001 [NEEDS CLARIFICATION: x]\n```\n\nUse `[@use](a.md)` and `FR-002`.\n';
  const lines = await tokenize(doc);
  for (const line of lines.slice(2)) {
    for (const t of line) {
      assert.ok(!t.scopes.some((s) => s.endsWith('.specls')), `"${t.text}" got ${t.scopes.join(' ')}`);
    }
  }
});
