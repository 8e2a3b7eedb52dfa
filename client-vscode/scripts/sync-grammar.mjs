// Copies the TextMate grammar from the repository's grammars/ into the extension.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ext = join(here, '..');
mkdirSync(join(ext, 'syntaxes'), { recursive: true });
const src = join(ext, '..', 'grammars', 'specmd.tmLanguage.json');
const dst = join(ext, 'syntaxes', 'specmd.tmLanguage.json');
JSON.parse((await import('node:fs')).readFileSync(src, 'utf8')); // fail early on a broken grammar
copyFileSync(src, dst);
console.log(`grammar: ${src} -> ${dst}`);
