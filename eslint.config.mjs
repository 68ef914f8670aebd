// Lint rules that catch bugs, not style: ESLint's and typescript-eslint's recommended sets, without type information
// so the whole tree lints in seconds. Formatting is not checked here. `npm run lint`; CI runs it before the tests.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.tmp/**', 'data/**', 'coverage/**', 'bench/out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The dashboard's scripts: ES modules run by the browser (and its t-SNE web worker).
    files: ['apps/api/src/dashboard/static/**/*.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser, ...globals.worker } },
  },
  {
    // Everything else in plain JavaScript is CommonJS run by Node (jest's config and environment, scripts/).
    files: ['**/*.js', '**/*.cjs'],
    ignores: ['apps/api/src/dashboard/static/**'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['**/*.mjs'], languageOptions: { globals: globals.node } },
  {
    rules: {
      // A leading underscore marks a value left out on purpose (`({ label: _l, ...rest }) => rest`).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Tests read loosely shaped JSON answers and assert on them; `any` there is the point, not a hole.
    files: ['test/**/*.ts', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
