// Settings -> what the server is told (initializationOptions and the `specls`
// section of workspace/configuration), as docs/protocol.md defines it. No `vscode`.

/** The user's `specls.*` settings as read from VS Code (possibly malformed). */
export interface RawSettings {
  server?: { path?: unknown; args?: unknown };
  generators?: { allow?: unknown };
  debounce?: unknown;
}

/** The `specls` configuration section of docs/protocol.md. */
export interface ServerConfig {
  trusted: boolean;
  generators: { allow: string[] };
  debounce: number;
}

export const DEFAULT_DEBOUNCE = 50;
export const DEFAULT_ALLOW = ['tangle'];

function stringList(value: unknown, fallback: string[]): string[] {
  if (!Array.isArray(value)) return [...fallback];
  const out: string[] = [];
  for (const v of value) {
    if (typeof v !== 'string') continue;
    const s = v.trim();
    if (s && !out.includes(s)) out.push(s);
  }
  return out;
}

/**
 * Builds the server configuration. `trusted` is the workspace trust state: in
 * an untrusted workspace the server must run no generator (VS Code already
 * hides the workspace's own values of restricted settings from us).
 */
export function toServerConfig(settings: RawSettings, trusted: boolean): ServerConfig {
  let debounce = DEFAULT_DEBOUNCE;
  const d = settings.debounce;
  if (typeof d === 'number' && Number.isFinite(d)) debounce = Math.min(5000, Math.max(0, Math.round(d)));
  return {
    trusted,
    generators: { allow: stringList(settings.generators?.allow, DEFAULT_ALLOW) },
    debounce,
  };
}

/** `specls.server.args` as a list of strings. */
export function serverArgs(settings: RawSettings): string[] {
  return stringList(settings.server?.args, []);
}

/** `specls.server.path` as a string ('' when unset or not a string). */
export function serverPath(settings: RawSettings): string {
  const p = settings.server?.path;
  return typeof p === 'string' ? p.trim() : '';
}

/** Settings whose change needs the server process to be restarted (the rest is sent live). */
export const RESTART_SETTINGS = ['specls.server.path', 'specls.server.args'];

/**
 * Answers a `workspace/configuration` item: the `specls` section gets the
 * protocol shape, its keys their values, anything else is left to VS Code.
 */
export function answerConfigurationItem(section: string | undefined, config: ServerConfig): unknown {
  if (section === 'specls') return config;
  if (section === 'specls.trusted') return config.trusted;
  if (section === 'specls.generators') return config.generators;
  if (section === 'specls.generators.allow') return config.generators.allow;
  if (section === 'specls.debounce') return config.debounce;
  return undefined;
}
