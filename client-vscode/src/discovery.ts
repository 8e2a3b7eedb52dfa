// Finding the specls server. Pure: every effect goes through `Probe`, so this
// module runs under plain node (tests) and never imports `vscode`.

export type ServerSource = 'setting' | 'python-extension' | 'path' | 'python3' | 'bundled';

export interface ServerCommand {
  /** Executable to spawn (absolute path when it was found on PATH). */
  command: string;
  /** Arguments, ending with `serve` and the user's extra args. */
  args: string[];
  /** Extra environment for the process (PYTHONPATH for the bundled server). */
  env?: Record<string, string>;
  source: ServerSource;
}

export interface DiscoveryInput {
  /** `specls.server.path`, possibly empty. */
  settingPath: string;
  /** `specls.server.args`. */
  extraArgs: string[];
  /** Interpreter selected in the ms-python extension, if that extension is present. */
  pythonInterpreter?: string;
  /** Directory with the Python packages shipped in a `--bundle-server` build. */
  bundledLibs?: string;
  /** For `${workspaceFolder}` in the setting. */
  workspaceFolder?: string;
  homeDir?: string;
  platform: NodeJS.Platform;
}

export interface Probe {
  /** Absolute path of an executable found on PATH, or undefined. */
  which(name: string): Promise<string | undefined>;
  /** The file exists and may be executed. */
  isExecutable(path: string): Promise<boolean>;
  /** `python -c "import specls"` succeeds (Python >= 3.11), with `pythonPath` prepended to PYTHONPATH. */
  canImportSpecls(python: string, pythonPath?: string): Promise<boolean>;
}

export interface Attempt {
  source: ServerSource;
  candidate: string;
  result: string;
}

export type Discovery =
  | { ok: true; server: ServerCommand; attempts: Attempt[] }
  | { ok: false; attempts: Attempt[]; reason: string };

const PYTHON_NAME = /^(python(\d+(\.\d+)?)?|py)(\.exe)?$/i;

/** True when a configured path names a Python interpreter rather than the `specls` executable. */
export function looksLikePython(path: string): boolean {
  const base = path.split(/[\\/]/).pop() ?? path;
  return PYTHON_NAME.test(base);
}

/** Expands `~` and `${workspaceFolder}` / `${userHome}` in a configured path. */
export function expandPath(path: string, input: Pick<DiscoveryInput, 'workspaceFolder' | 'homeDir'>): string {
  let p = path.trim();
  if (input.homeDir) {
    if (p === '~') p = input.homeDir;
    else if (p.startsWith('~/') || p.startsWith('~\\')) p = input.homeDir + p.slice(1);
    p = p.split('${userHome}').join(input.homeDir);
  }
  if (input.workspaceFolder) p = p.split('${workspaceFolder}').join(input.workspaceFolder);
  return p;
}

function dirname(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i <= 0 ? (i === 0 ? path.slice(0, 1) : '.') : path.slice(0, i);
}

function scriptBeside(python: string, platform: NodeJS.Platform): string {
  const sep = platform === 'win32' ? '\\' : '/';
  return dirname(python) + sep + (platform === 'win32' ? 'specls.exe' : 'specls');
}

/**
 * Finds how to start `specls serve`, in this order:
 * 1. `specls.server.path` (the `specls` executable, or a Python interpreter with the package);
 *    when set it is the only candidate, so a wrong path is reported instead of silently ignored;
 * 2. the Python extension's interpreter (its `specls` script, else `-m specls`);
 * 3. `specls` on PATH;
 * 4. `python3 -m specls` (`python` on Windows);
 * 5. the server bundled in the extension, run by the interpreter of 2 or 4.
 */
export async function discoverServer(input: DiscoveryInput, probe: Probe): Promise<Discovery> {
  const attempts: Attempt[] = [];
  const serve = ['serve', ...input.extraArgs];

  const configured = expandPath(input.settingPath ?? '', input);
  if (configured) {
    if (looksLikePython(configured)) {
      if (await probe.canImportSpecls(configured)) {
        attempts.push({ source: 'setting', candidate: configured, result: 'ok' });
        return { ok: true, attempts, server: { command: configured, args: ['-m', 'specls', ...serve], source: 'setting' } };
      }
      attempts.push({ source: 'setting', candidate: configured, result: 'cannot import specls (or Python < 3.11)' });
    } else if (await probe.isExecutable(configured)) {
      attempts.push({ source: 'setting', candidate: configured, result: 'ok' });
      return { ok: true, attempts, server: { command: configured, args: serve, source: 'setting' } };
    } else {
      attempts.push({ source: 'setting', candidate: configured, result: 'not an executable file' });
    }
    return { ok: false, attempts, reason: `specls.server.path is set to "${input.settingPath}", which does not work` };
  }

  if (input.pythonInterpreter) {
    const py = input.pythonInterpreter;
    const script = scriptBeside(py, input.platform);
    if (await probe.isExecutable(script)) {
      attempts.push({ source: 'python-extension', candidate: script, result: 'ok' });
      return { ok: true, attempts, server: { command: script, args: serve, source: 'python-extension' } };
    }
    if (await probe.canImportSpecls(py)) {
      attempts.push({ source: 'python-extension', candidate: py, result: 'ok' });
      return { ok: true, attempts, server: { command: py, args: ['-m', 'specls', ...serve], source: 'python-extension' } };
    }
    attempts.push({ source: 'python-extension', candidate: py, result: 'specls is not installed in this interpreter' });
  }

  const onPath = await probe.which(input.platform === 'win32' ? 'specls.exe' : 'specls');
  if (onPath) {
    attempts.push({ source: 'path', candidate: onPath, result: 'ok' });
    return { ok: true, attempts, server: { command: onPath, args: serve, source: 'path' } };
  }
  attempts.push({ source: 'path', candidate: 'specls', result: 'not found on PATH' });

  const python3 = await probe.which(input.platform === 'win32' ? 'python.exe' : 'python3');
  if (python3) {
    if (await probe.canImportSpecls(python3)) {
      attempts.push({ source: 'python3', candidate: python3, result: 'ok' });
      return { ok: true, attempts, server: { command: python3, args: ['-m', 'specls', ...serve], source: 'python3' } };
    }
    attempts.push({ source: 'python3', candidate: python3, result: 'specls is not installed in this interpreter' });
  } else {
    attempts.push({ source: 'python3', candidate: 'python3', result: 'not found on PATH' });
  }

  if (input.bundledLibs) {
    const interpreters = [input.pythonInterpreter, python3].filter((p): p is string => !!p);
    for (const py of interpreters) {
      if (await probe.canImportSpecls(py, input.bundledLibs)) {
        attempts.push({ source: 'bundled', candidate: py, result: 'ok' });
        return {
          ok: true,
          attempts,
          server: { command: py, args: ['-m', 'specls', ...serve], env: { PYTHONPATH: input.bundledLibs }, source: 'bundled' },
        };
      }
      attempts.push({ source: 'bundled', candidate: py, result: 'the bundled server does not run here (Python >= 3.11 needed)' });
    }
    if (interpreters.length === 0) {
      attempts.push({ source: 'bundled', candidate: input.bundledLibs, result: 'no Python interpreter to run it' });
    }
  }

  return { ok: false, attempts, reason: 'specls was not found' };
}

/** One line per attempt, for the output channel and the error notification. */
export function describeAttempts(attempts: Attempt[]): string {
  return attempts.map((a) => `  ${a.source}: ${a.candidate} — ${a.result}`).join('\n');
}
