import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'build/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['@actions/*'], message: 'Only entry folders and store/artifact.ts import @actions/* (DESIGN house rule 1).' }] }]
    }
  },
  {
    files: ['src/action/**', 'src/backup/**', 'src/restore/**', 'src/cleanup/**', 'src/store/artifact.ts', '__tests__/**', 'scripts/**'],
    rules: { 'no-restricted-imports': 'off' }
  }
)
