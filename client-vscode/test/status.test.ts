import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { problemSummary, type StatusNotification, statusBarModel, totalCounts } from '../src/status';

const running = { server: 'running' as const, regenerating: false, trusted: true };

test('"specls: 3 stale · 1 edited"', () => {
  const m = statusBarModel({ ...running, roots: [{ counts: { fresh: 5, stale: 3, edited: 1 } }] });
  assert.equal(m.text, 'specls: 3 stale · 1 edited');
  assert.equal(m.level, 'warning');
  assert.match(m.tooltip, /9 tracked: 5 fresh · 3 stale · 1 edited/);
});

test('all fresh', () => {
  const m = statusBarModel({ ...running, roots: [{ counts: { fresh: 4, stale: 0 } }] });
  assert.equal(m.text, '$(check) specls');
  assert.equal(m.level, 'ok');
});

test('counts of several roots add up, problems in a fixed order, unknown statuses last', () => {
  const roots: StatusNotification[] = [{ counts: { orphan: 1, stale: 1 } }, { counts: { stale: 2, missing: 1, weird: 2 } }];
  assert.deepEqual(totalCounts(roots), { orphan: 1, stale: 3, missing: 1, weird: 2 });
  assert.equal(problemSummary(totalCounts(roots)), '3 stale · 1 missing · 1 orphan · 2 weird');
});

test('spinner while regenerating (ours or the server says busy)', () => {
  assert.equal(statusBarModel({ ...running, regenerating: true, roots: [] }).text, '$(sync~spin) specls: regenerating…');
  assert.equal(statusBarModel({ ...running, roots: [{ busy: true, counts: { stale: 1 } }] }).text, '$(sync~spin) specls: regenerating…');
});

test('server states', () => {
  assert.equal(statusBarModel({ ...running, server: 'starting', roots: [] }).text, '$(loading~spin) specls');
  assert.equal(statusBarModel({ ...running, server: 'failed', roots: [] }).level, 'error');
  assert.equal(statusBarModel({ ...running, server: 'stopped', roots: [] }).level, 'error');
});

test('restricted mode shows a shield and says why', () => {
  const m = statusBarModel({ ...running, trusted: false, roots: [{ counts: { stale: 2 } }] });
  assert.equal(m.text, '$(shield) specls: 2 stale');
  assert.match(m.tooltip, /Restricted mode/);
});

test('garbage counts are ignored', () => {
  const m = statusBarModel({ ...running, roots: [{ counts: { stale: Number.NaN, edited: -1, fresh: 2 } }] });
  assert.equal(m.text, '$(check) specls');
});
