// ESLint with typescript-eslint's type-aware recommended rules (`npm run lint`). Type information comes
// from tsconfig.json through the project service, so the rules see what `npm run typecheck` sees.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // Build output, test inputs written to be odd on purpose, and generated or vendored files.
    ignores: [
      'dist/**',
      'node_modules/**',
      'test/fixtures/**',
      'test/grammar/**',
      'test/ecosystem/**',
      'examples/**',
      'scratch/**',
      'bench/.work/**',
      '.e2e/**',
      '.vscode-test/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Unused names are already compile errors (noUnusedLocals, noUnusedParameters); `_name` marks one kept on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Plain JavaScript build scripts: no type information.
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'readonly', __dirname: 'readonly' } },
  },
);
