import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.tmp/'] },
  js.configs.recommended,
  // Type-aware rules (no-floating-promises, no-misused-promises, no-unsafe-*, ...) on the
  // TypeScript in tsconfig.json, through the TypeScript project service.
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // A promise nobody awaits gets a rejection handler: `void` does not count as handling it.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
    },
  },
  // A test's callback is often async only to return a promise that rejects, as the code under
  // test expects of its callers.
  { files: ['__tests__/**/*.ts'], rules: { '@typescript-eslint/require-await': 'off' } },
  // The few plain JavaScript files (scripts, stand-ins, this file) are not in the TypeScript
  // project: syntax rules only for them.
  { files: ['**/*.{js,mjs,cjs}'], extends: [tseslint.configs.disableTypeChecked] },
);
