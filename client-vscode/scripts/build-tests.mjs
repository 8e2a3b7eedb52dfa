// Compiles test/*.test.ts (which import only the vscode-free modules of src/)
// to out/test/*.test.js for node's test runner. Importing `vscode` fails here.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ext = join(dirname(fileURLToPath(import.meta.url)), '..');
const tests = readdirSync(join(ext, 'test')).filter((f) => f.endsWith('.test.ts'));
rmSync(join(ext, 'out', 'test'), { recursive: true, force: true });
await esbuild.build({
  entryPoints: tests.map((f) => join(ext, 'test', f)),
  outdir: join(ext, 'out', 'test'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
});
