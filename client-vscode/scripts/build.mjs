// Bundles the extension with esbuild into dist/extension.js and copies the
// webview's Mermaid into media/. `--production` minifies, `--watch` rebuilds.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ext = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const require = createRequire(import.meta.url);
mkdirSync(join(ext, 'media'), { recursive: true });
copyFileSync(require.resolve('mermaid/dist/mermaid.min.js'), join(ext, 'media', 'mermaid.min.js'));

const options = {
  entryPoints: [join(ext, 'src', 'extension.ts')],
  outfile: join(ext, 'dist', 'extension.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  external: ['vscode'],
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
};
if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
