// ESLint (flat config) for the web app and its end-to-end tests. Run it through
// scripts/check-web.sh, from the repository root: file patterns here are relative to the root.
// Only rules that catch bugs; layout is prettier's job (.prettierrc.json).
import js from '@eslint/js';
import globals from 'globals';
import importPlugin from 'eslint-plugin-import';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// Browser globals that are also common variable names: a typo or a missing declaration would
// silently read window.name, window.status, ... instead of failing.
const confusingBrowserGlobals = (
  'event name status length closed origin top parent self opener close open stop find print ' +
  'focus blur frames screen external'
).split(' ');

export default [
  { ignores: ['**/node_modules/**', 'build/**', 'build-*/**'] },
  js.configs.recommended,
  {
    files: ['web/**/*.js', 'tests/e2e/**/*.mjs', 'tests/web/**/*.mjs'],
    plugins: { import: importPlugin },
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module' },
    settings: { 'import/resolver': { node: { extensions: ['.js', '.mjs'] } } },
    rules: {
      'no-unused-vars': ['error', { args: 'after-used', caughtErrors: 'all' }],
      'no-use-before-define': ['error', { functions: false, classes: true, variables: false }],
      'array-callback-return': 'error',
      'no-self-compare': 'error',
      'no-template-curly-in-string': 'error',
      'no-unmodified-loop-condition': 'error',
      'no-unreachable-loop': 'error',
      eqeqeq: ['error', 'smart'],
      // Imports: every import resolves to a file and names an export, with the '.js' the browser
      // needs; no cycles; the entry module (main.js) is imported by nobody.
      'import/no-unresolved': 'error',
      'import/named': 'error',
      'import/namespace': 'error',
      'import/default': 'error',
      'import/export': 'error',
      'import/no-duplicates': 'error',
      'import/extensions': ['error', 'ignorePackages'],
      'import/no-cycle': ['error', { ignoreExternal: true }],
      'import/no-self-import': 'error',
      'import/no-restricted-paths': [
        'error',
        {
          basePath: root,
          zones: [
            {
              target: './web/app',
              from: './web/app/main.js',
              message: 'main.js is the entry module: move what you need into a module of its own',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['web/app/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-globals': ['error', ...confusingBrowserGlobals] },
  },
  {
    files: ['tests/e2e/**/*.mjs', 'tests/web/**/*.mjs', 'web/eslint.config.js'],
    languageOptions: { globals: { ...globals.node } },
  },
];
