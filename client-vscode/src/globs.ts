// Workspace-relative glob matching exactly as the server does it
// (server/specls/globs.py), so the client reads the server's `include`/`exclude`
// the same way: `**/` is zero or more directories, `**` anything, `*` and `?` stay
// within one path segment, every other character is literal (no `[...]`, no `{a,b}`).
// The cases both implementations must agree on are in tests/unit/glob_cases.json. No `vscode`.

// Characters with a meaning in a `u`-flag RegExp; only these may be escaped there.
const SYNTAX = /[\\^$.*+?()[\]{}|/]/g;
const cache = new Map<string, RegExp>();

/**
 * The RegExp of a glob: anchored at both ends, matching code points, and `[^\n]` where
 * Python writes `.` (a JS `.` also stops at `\r`, U+2028 and U+2029; Python's only at `\n`).
 */
export function globRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    if (pattern.startsWith('**/', i)) {
      out += '(?:[^\\n]*/)?';
      i += 3;
    } else if (pattern.startsWith('**', i)) {
      out += '[^\\n]*';
      i += 2;
    } else if (pattern[i] === '*') {
      out += '[^/]*';
      i += 1;
    } else if (pattern[i] === '?') {
      out += '[^/]';
      i += 1;
    } else {
      const ch = String.fromCodePoint(pattern.codePointAt(i) ?? 0);
      out += ch.replace(SYNTAX, '\\$&');
      i += ch.length;
    }
  }
  re = new RegExp(`^${out}$`, 'u');
  if (cache.size >= 256) cache.clear();
  cache.set(pattern, re);
  return re;
}

/** True when the workspace-relative `/`-separated `path` matches `pattern`. */
export function globMatch(pattern: string, path: string): boolean {
  return globRegExp(pattern).test(path);
}

export function anyMatch(patterns: readonly string[], path: string): boolean {
  return patterns.some((p) => globMatch(p, path));
}
