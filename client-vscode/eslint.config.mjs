// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'media/', 'syntaxes/', 'bundled/', 'node_modules/', '*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      curly: ['error', 'multi-line'],
      'no-restricted-imports': 'off',
    },
  },
  {
    // The pure modules must run under plain node (unit tests): no `vscode`. The VS Code
    // side is these files (test/misc.test.ts checks the same list).
    files: ['src/**/*.ts'],
    ignores: ['src/extension.ts', 'src/client.ts', 'src/commands.ts', 'src/graphPanel.ts', 'src/tracePanel.ts', 'src/python.ts', 'src/settings.ts', 'src/statusBar.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Decide it in a module without vscode (unit-tested under node); only the VS Code side may import vscode.' }] }] },
  },
  {
    files: ['scripts/**/*.mjs', 'test/**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', fetch: 'readonly' },
    },
  },
);
