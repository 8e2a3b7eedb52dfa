// The real `Probe` for server discovery: file system and child processes, no `vscode`.
import { execFile } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Probe } from './discovery';

const IMPORT_CHECK = 'import sys\nassert sys.version_info >= (3, 11)\nimport specls';
// The bundle's compiled dependencies bind one CPython minor version and platform: import them
// too, so a mismatched interpreter is skipped instead of failing when the server starts.
const BUNDLE_CHECK = IMPORT_CHECK + '\nimport pydantic_core, tree_sitter, yaml, pygls';

export function nodeProbe(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): Probe {
  async function isExecutable(p: string): Promise<boolean> {
    try {
      const st = await fs.stat(p);
      if (!st.isFile()) return false;
      if (platform === 'win32') return true;
      await fs.access(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  }
  return {
    isExecutable,
    async which(name: string): Promise<string | undefined> {
      const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter(Boolean);
      for (const dir of dirs) {
        const candidate = path.join(dir, name);
        if (await isExecutable(candidate)) return candidate;
      }
      return undefined;
    },
    canImportSpecls(python: string, pythonPath?: string): Promise<boolean> {
      const childEnv = { ...env };
      if (pythonPath) {
        childEnv.PYTHONPATH = env.PYTHONPATH ? pythonPath + path.delimiter + env.PYTHONPATH : pythonPath;
      }
      return new Promise((resolve) => {
        execFile(python, ['-c', pythonPath ? BUNDLE_CHECK : IMPORT_CHECK], { env: childEnv, timeout: 15000, windowsHide: true }, (err) => resolve(!err));
      });
    },
  };
}
