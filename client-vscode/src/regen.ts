// Reading the result of `specls.regenerate` / `specls.regenerateStale`. No `vscode`.

export interface UnitMessage {
  unit: string;
  message: string;
}

/** Result shape of docs/protocol.md. */
export interface RegenResult {
  regenerated?: string[];
  failed?: UnitMessage[];
  refused?: UnitMessage[];
}

export interface RegenSummary {
  regenerated: string[];
  failed: UnitMessage[];
  refused: UnitMessage[];
  /** One line for a notification or the status bar. */
  message: string;
}

function units(list: unknown): string[] {
  return Array.isArray(list) ? list.filter((u): u is string => typeof u === 'string') : [];
}

function unitMessages(list: unknown): UnitMessage[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter((x): x is Record<string, unknown> => !!x && typeof x === 'object')
    .map((x) => ({ unit: String(x.unit ?? '?'), message: String(x.message ?? '') }));
}

export function summarizeRegen(result: RegenResult): RegenSummary {
  const regenerated = units(result.regenerated);
  const failed = unitMessages(result.failed);
  const refused = unitMessages(result.refused);
  const parts: string[] = [];
  if (regenerated.length === 1) parts.push(`regenerated ${regenerated[0]}`);
  else if (regenerated.length > 1) parts.push(`regenerated ${regenerated.length} sections`);
  if (failed.length === 1) parts.push(`${failed[0].unit} failed: ${failed[0].message}`);
  else if (failed.length > 1) parts.push(`${failed.length} failed (${failed.map((f) => f.unit).join(', ')})`);
  if (refused.length) parts.push(`${refused.length} refused (edited by hand)`);
  return { regenerated, failed, refused, message: parts.length ? parts.join('; ') : 'nothing to regenerate' };
}
