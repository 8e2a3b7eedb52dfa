// Which files are specs (for menus, the keybinding and activation), and the
// set of output files the server reported. No `vscode`.

/**
 * Spec layouts read by the server (DESIGN.md §1). Globs relative to a
 * workspace folder; the server is the authority (its globs are configurable),
 * the client uses these only to decide where its commands show.
 */
export const SPEC_GLOBS = [
  '**/*.spec.md',
  '**/specs/*/spec.md',
  '**/specs/*/plan.md',
  '**/specs/*/tasks.md',
  '**/memory/constitution.md',
  '**/.specify/**/*.md',
  '**/.kiro/specs/**/*.md',
  '**/openspec/**/*.md',
];

const SPEC_REGEXES = [
  /\.spec\.md$/i,
  /(^|\/)specs\/[^/]+\/(spec|plan|tasks)\.md$/,
  /(^|\/)memory\/constitution\.md$/,
  /(^|\/)\.specify\/(.+\/)?[^/]+\.md$/,
  /(^|\/)\.kiro\/specs\/(.+\/)?[^/]+\.md$/,
  /(^|\/)openspec\/(.+\/)?[^/]+\.md$/,
];

/** True when a path (absolute or workspace-relative, any separator) is a spec file in one of the layouts. */
export function isSpecPath(p: string): boolean {
  const norm = p.replace(/\\/g, '/');
  return SPEC_REGEXES.some((re) => re.test(norm));
}

/** Normalises a file URI for set membership (drive letter case, trailing slashes). */
export function normalizeUri(uri: string): string {
  return uri.replace(/^file:\/\/\/([A-Za-z])(:|%3A)/, (_m, d: string) => `file:///${d.toLowerCase()}%3A`);
}

/** The output files of all roots, as a set of normalised URIs. */
export function outputSet(lists: (string[] | undefined)[]): Set<string> {
  const set = new Set<string>();
  for (const l of lists) for (const u of l ?? []) if (typeof u === 'string') set.add(normalizeUri(u));
  return set;
}
