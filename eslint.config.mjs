// Flat config for every workspace: typescript-eslint with type information, so that floating
// promises and type-only imports are caught everywhere.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/coverage/**',
      '**/.cache/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
      'grafana-plugin/.config/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
    },
  },
  {
    // Entry points and command-line tools may print to the console.
    files: [
      '**/src/cli.ts',
      '**/src/main.ts',
      'bench/**/*.ts',
      '**/demo/**/*.ts',
      '**/scripts/**/*.ts',
    ],
    rules: { 'no-console': 'off' },
  },
  {
    // The browser bundle takes the protocol's dependency-free core only (no TypeBox, no ajv).
    files: ['grafana-plugin/src/**/*.ts', 'grafana-plugin/src/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@scrapewatch/protocol',
              message: 'Import from @scrapewatch/protocol/core in the browser bundle.',
            },
          ],
        },
      ],
    },
  },
);
