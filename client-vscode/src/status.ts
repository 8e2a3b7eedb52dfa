// The status bar model: text, tooltip and colour from the server's
// `specls/status` notification. No `vscode`.
import type { SpecGlobs } from './specFiles';

/** Payload of `specls/status` (docs/protocol.md). */
export interface StatusNotification {
  root?: string;
  counts?: Record<string, number>;
  outputs?: string[];
  busy?: boolean;
  /** The root's spec-file globs (read with `parseGlobs`: a payload is not trusted). */
  globs?: SpecGlobs;
}

export type ServerState = 'starting' | 'running' | 'stopped' | 'failed';

export interface StatusInput {
  server: ServerState;
  /** Latest `specls/status` per workspace root. */
  roots: StatusNotification[];
  /** A regeneration started from this client is running. */
  regenerating: boolean;
  trusted: boolean;
}

export interface StatusBarModel {
  text: string;
  tooltip: string;
  /** `warning` colours the item (something is stale/edited/...), `error` when the server is down. */
  level: 'ok' | 'warning' | 'error';
}

/** Problem statuses, in the order they are shown. `fresh` is never shown as a problem. */
export const PROBLEM_STATUSES = ['stale', 'edited', 'missing', 'ungenerated', 'conflict', 'orphan'] as const;

/** Sums the counts of every workspace root. */
export function totalCounts(roots: StatusNotification[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const r of roots) {
    for (const [k, v] of Object.entries(r.counts ?? {})) {
      if (typeof v === 'number' && Number.isFinite(v) && v > 0) total[k] = (total[k] ?? 0) + v;
    }
  }
  return total;
}

/** `3 stale · 1 edited`, or '' when there is no problem. */
export function problemSummary(counts: Record<string, number>): string {
  const parts: string[] = [];
  for (const s of PROBLEM_STATUSES) if (counts[s]) parts.push(`${counts[s]} ${s}`);
  for (const [k, v] of Object.entries(counts)) {
    if (k !== 'fresh' && !(PROBLEM_STATUSES as readonly string[]).includes(k) && v) parts.push(`${v} ${k}`);
  }
  return parts.join(' · ');
}

export function statusBarModel(input: StatusInput): StatusBarModel {
  const restricted = input.trusted ? '' : '\nRestricted mode: no generator runs until you trust this workspace.';
  if (input.server === 'failed') {
    return { text: '$(error) specls', tooltip: 'The specls server is not running. Click to see its log.', level: 'error' };
  }
  if (input.server === 'stopped') {
    return { text: '$(circle-slash) specls', tooltip: 'The specls server is stopped. Click to see its log.', level: 'error' };
  }
  if (input.server === 'starting') {
    return { text: '$(loading~spin) specls', tooltip: 'Starting the specls server…', level: 'ok' };
  }
  const busy = input.regenerating || input.roots.some((r) => r.busy);
  const counts = totalCounts(input.roots);
  const summary = problemSummary(counts);
  const units = Object.values(counts).reduce((a, b) => a + b, 0);
  const fresh = counts.fresh ?? 0;
  const detail = units === 0 ? 'Nothing generated is tracked yet.' : `${units} tracked: ${fresh} fresh${summary ? ' · ' + summary : ''}.`;
  if (busy) {
    return {
      text: `$(sync~spin) specls: regenerating…`,
      tooltip: `Regenerating. ${detail}${restricted}`,
      level: 'ok',
    };
  }
  const shield = input.trusted ? '' : '$(shield) ';
  if (summary) {
    return {
      text: `${shield}specls: ${summary}`,
      tooltip: `${detail}\nClick to list specls problems.${restricted}`,
      level: 'warning',
    };
  }
  return {
    text: `${shield}$(check) specls`,
    tooltip: `${units === 0 ? detail : 'Every output is fresh. ' + detail}\nClick to list specls problems.${restricted}`,
    level: 'ok',
  };
}
