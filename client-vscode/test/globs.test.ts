// The client's glob matcher against the server's: both are tested with the same
// table (tests/unit/glob_cases.json, whose answers tests/unit/test_globs.py checks
// against server/specls/globs.py).
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { anyMatch, globMatch, globRegExp } from '../src/globs';

interface Case {
  pattern: string;
  paths: Record<string, boolean>;
}

// out/test/ -> the repository's tests/unit/
const table = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'tests', 'unit', 'glob_cases.json'), 'utf8')) as { cases: Case[] };

test('the shared case table is there and has both answers', () => {
  const answers = table.cases.flatMap((c) => Object.values(c.paths));
  assert.ok(answers.filter((a) => a).length >= 20);
  assert.ok(answers.filter((a) => !a).length >= 20);
});

for (const c of table.cases) {
  test(`glob ${JSON.stringify(c.pattern)} matches like the server's`, () => {
    for (const [path, expected] of Object.entries(c.paths)) {
      assert.equal(globMatch(c.pattern, path), expected, `${JSON.stringify(c.pattern)} vs ${JSON.stringify(path)}`);
    }
  });
}

test('any of several globs; none matches nothing', () => {
  assert.ok(anyMatch(['specs/*/spec.md', '**/*.spec.md'], 'a/b.spec.md'));
  assert.ok(!anyMatch(['specs/*/spec.md'], 'a/b.spec.md'));
  assert.ok(!anyMatch([], 'a.spec.md'));
});

test('a compiled glob is reused', () => {
  assert.equal(globRegExp('specs/**/*.md'), globRegExp('specs/**/*.md'));
});
