// @ts-check
/**
 * The linter `npm test` runs (`npm run lint`). Type-aware rules catch what review found by hand: promises nobody
 * awaits or handles, unused code. Formatting is Prettier's (.prettierrc.json); eslint-config-prettier turns off the
 * stylistic rules that would fight it.
 */
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'data/**', 'web/src/gql/**', '**/*.d.ts', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.ts', '**/*.vue'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.vue'],
        parser: tseslint.parser,
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node, ...globals.browser },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // A timer or handle assigned after the closure that clears it is declared.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Every v-html is the output of web/src/chat/markdown.ts, sanitised by DOMPurify there.
      'vue/no-v-html': 'off',
    },
  },
  {
    // ltijs ships no types: its platform and store objects are `any` at the adapter's edge, and tests build
    // malformed values on purpose.
    files: ['lti-tool/src/**/*.ts', '**/*.test.ts', 'api/test/**/*.ts', 'test/**/*.ts', 'web/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  prettier,
);
