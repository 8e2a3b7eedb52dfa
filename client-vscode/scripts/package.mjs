// Builds the .vsix.
//   node scripts/package.mjs                    -> specls-<version>.vsix (server installed separately)
//   node scripts/package.mjs --bundle-server    -> specls-<target>-<version>.vsix with the Python
//        package and its dependencies in bundled/libs, for this platform and this Python minor version
//   options: --python PATH (interpreter whose pip installs the bundle; default: ../.venv, else python3)
//            --target linux-x64|darwin-arm64|... (vsce platform target; default: this machine)
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ext = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(ext, '..');
const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const bundle = argv.includes('--bundle-server');
const pkg = JSON.parse(readFileSync(join(ext, 'package.json'), 'utf8'));

function run(cmd, args, options = {}) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { stdio: 'inherit', cwd: ext, ...options });
}

const node = process.execPath;
run(node, ['scripts/sync-grammar.mjs']);
run(node, ['scripts/build.mjs', '--production']);

rmSync(join(ext, 'bundled'), { recursive: true, force: true });
let target;
if (bundle) {
  const venvPython = join(repo, '.venv', 'bin', 'python');
  const python = opt('--python') ?? (existsSync(venvPython) ? venvPython : 'python3');
  target = opt('--target') ?? `${process.platform === 'win32' ? 'win32' : process.platform}-${process.arch}`;
  const libs = join(ext, 'bundled', 'libs');
  // Wheels only for the dependencies (tree-sitter, pydantic-core, PyYAML are compiled: they bind this
  // platform and Python minor version); specls itself is built from the repository.
  run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-compile', '--prefer-binary', '--target', libs, repo]);
  rmSync(join(libs, 'bin'), { recursive: true, force: true });
  const pyInfo = execFileSync(python, ['-c', 'import sys, sysconfig; print(f"{sys.version_info[0]}.{sys.version_info[1]} {sysconfig.get_platform()}")'], { encoding: 'utf8' }).trim();
  writeFileSync(
    join(ext, 'bundled', 'README.txt'),
    `specls server bundled by \`npm run package:bundled\`.\nBuilt for CPython ${pyInfo}; the extension runs it with PYTHONPATH=bundled/libs\nusing a Python of that minor version (the Python extension's interpreter or python3).\n`,
  );
  const walk = (d) => readdirSync(d).forEach((f) => {
    const p = join(d, f);
    if (f === '__pycache__') rmSync(p, { recursive: true, force: true });
    else if (statSync(p).isDirectory()) walk(p);
  });
  walk(libs);
}

const out = join(ext, bundle ? `specls-${target}-${pkg.version}.vsix` : `specls-${pkg.version}.vsix`);
const vsce = join(ext, 'node_modules', '@vscode', 'vsce', 'vsce');
const args = ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out];
if (target) args.push('--target', target);
run(node, [vsce, ...args], { env: { ...process.env, VSCE_SKIP_PREPUBLISH: '1' } });
console.log(`built ${out}`);
