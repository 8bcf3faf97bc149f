// ESLint flat config: typescript-eslint's recommended rules (syntax-based, so a lint of the whole
// tree takes seconds), with formatting left to Prettier (eslint-config-prettier turns off the
// rules that would fight it). `npm run lint` runs it; `npm test` runs lint first.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/', '.cache/', '.gen/', 'cdktf.out/', 'dist/', 'coverage/', 'bench/results/', '**/*.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        structuredClone: 'readonly',
        NodeJS: 'readonly',
        setImmediate: 'readonly',
        queueMicrotask: 'readonly',
      },
    },
    rules: {
      // Lazy, typed `require(...) as typeof import(...)` is how this CommonJS project keeps CLI
      // start-up cheap (a verb loads its dependencies only when it runs); static imports remain
      // the norm, and tsc checks both.
      '@typescript-eslint/no-require-imports': 'off',
      // New in ESLint 10's recommended set; reported, not failed, until the tree is cleaned once.
      'no-useless-assignment': 'warn',
      // `_`-prefixed parameters and variables document an intentionally unused value.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    // CommonJS entry points and scripts (the CLI shim, the bindings generator, the dynamic inventory).
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    // Tests and fixtures shape untyped spec input on purpose (malformed specs, mutated fixtures).
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
