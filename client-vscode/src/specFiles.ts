// Which files are specs, by the server's word: each `specls/status` carries its
// root's effective `include`/`exclude` globs (docs/protocol.md), and a file is a
// spec file of the deepest root that contains it when it matches them, exactly as
// the server decides. The client keeps no list of layouts of its own. No `vscode`.
import { anyMatch } from './globs';

/** `globs` of `specls/status`: the root's effective configuration, root-relative. */
export interface SpecGlobs {
  include: string[];
  exclude: string[];
}

/** What a root's status says about spec files. */
export interface RootGlobs {
  root?: string;
  globs?: unknown;
}

/** The `globs` of a status payload, or undefined when the server sent none (or nonsense). */
export function parseGlobs(raw: unknown): SpecGlobs | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const { include, exclude } = raw as Record<string, unknown>;
  const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : undefined);
  const inc = strings(include);
  const exc = exclude === undefined ? [] : strings(exclude);
  return inc && exc ? { include: inc, exclude: exc } : undefined;
}

/**
 * The path of a `file:` URI, decoded and `/`-separated (`c:/ws/x` on Windows, with
 * the drive letter lower-cased; `//host/share/x` for UNC), or undefined for other schemes.
 * The server and VS Code encode URIs differently (`C:` vs `c%3A`), so paths are compared.
 */
export function uriPath(uri: string): string | undefined {
  const m = /^file:\/\/([^/?#]*)([^?#]*)/i.exec(uri);
  if (!m) return undefined;
  let p: string;
  try {
    p = decodeURIComponent(m[2] || '/');
  } catch {
    return undefined;
  }
  if (m[1] && m[1].toLowerCase() !== 'localhost') p = `//${m[1]}${p}`;
  p = p.replace(/^\/([A-Za-z]):/, (_m, d: string) => `${d.toLowerCase()}:`);
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/** `path` relative to `root` (both from `uriPath`), or undefined when it is not inside. */
export function relativePath(root: string, path: string): string | undefined {
  if (path === root) return '';
  const prefix = root.endsWith('/') ? root : root + '/';
  return path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
}

/**
 * Whether the file at `uri` is a spec file: true or false once the deepest root
 * containing it has reported its globs, undefined while that is not known (no
 * root contains the file yet, or its server sent no globs). Callers that show
 * spec-only UI treat undefined as "not a spec"; the server itself sees every file.
 */
export function isSpecFile(uri: string, roots: Iterable<RootGlobs>): boolean | undefined {
  const path = uriPath(uri);
  if (path === undefined) return undefined;
  let best: { rel: string; depth: number; globs: SpecGlobs | undefined } | undefined;
  for (const r of roots) {
    const root = r.root === undefined ? undefined : uriPath(r.root);
    const rel = root === undefined ? undefined : relativePath(root, path);
    if (root === undefined || rel === undefined) continue;
    if (!best || root.length > best.depth) best = { rel, depth: root.length, globs: parseGlobs(r.globs) };
  }
  if (!best?.globs) return undefined;
  return !anyMatch(best.globs.exclude, best.rel) && anyMatch(best.globs.include, best.rel);
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
