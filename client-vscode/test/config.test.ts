import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerConfigurationItem, serverArgs, serverPath, toServerConfig } from '../src/config';

test('defaults follow docs/protocol.md', () => {
  assert.deepEqual(toServerConfig({}, false), { trusted: false, generators: { allow: ['tangle'] }, debounce: 50 });
});

test('settings become the protocol shape', () => {
  const cfg = toServerConfig({ generators: { allow: ['tangle', ' claude ', 'claude', 3] }, debounce: 420.4, server: { path: '/x' } }, true);
  assert.deepEqual(cfg, { trusted: true, generators: { allow: ['tangle', 'claude'] }, debounce: 420 });
  assert.ok(!('server' in cfg), 'client-only settings are not sent');
});

test('malformed values fall back or clamp', () => {
  assert.equal(toServerConfig({ debounce: 'fast' }, true).debounce, 50);
  assert.equal(toServerConfig({ debounce: -5 }, true).debounce, 0);
  assert.equal(toServerConfig({ debounce: 1e9 }, true).debounce, 5000);
  assert.deepEqual(toServerConfig({ generators: { allow: 'tangle' } }, true).generators.allow, ['tangle']);
  assert.deepEqual(toServerConfig({ generators: { allow: [] } }, true).generators.allow, []);
});

test('untrusted is sent as trusted: false', () => {
  assert.equal(toServerConfig({ generators: { allow: ['claude'] } }, false).trusted, false);
});

test('server path and args', () => {
  assert.equal(serverPath({ server: { path: '  /a/specls ' } }), '/a/specls');
  assert.equal(serverPath({ server: { path: 42 } }), '');
  assert.deepEqual(serverArgs({ server: { args: ['--tcp', 1, '127.0.0.1:9000'] } }), ['--tcp', '127.0.0.1:9000']);
});

test('workspace/configuration answers', () => {
  const cfg = toServerConfig({}, true);
  assert.deepEqual(answerConfigurationItem('specls', cfg), cfg);
  assert.equal(answerConfigurationItem('specls.trusted', cfg), true);
  assert.equal(answerConfigurationItem('specls.debounce', cfg), 50);
  assert.equal(answerConfigurationItem('editor', cfg), undefined);
  assert.equal(answerConfigurationItem(undefined, cfg), undefined);
});
