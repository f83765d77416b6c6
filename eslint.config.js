import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const ACTIONS_ONLY_IN_ENTRIES = { group: ['@actions/*'], message: 'Only entry folders and store/artifact.ts import @actions/* (DESIGN house rule 1).' }
const ENTRIES = ['action', 'backup', 'restore', 'cleanup', 'cli']

/**
 * Imports point down (DESIGN, Layout): entries → inputs → pipeline → recipes → sources → transport → kernel,
 * and pipeline → store → kernel. Each folder names the folders it must never import from.
 */
const LAYERS = {
  kernel: ['inputs', 'pipeline', 'recipes', 'sources', 'transport', 'store', ...ENTRIES],
  transport: ['inputs', 'pipeline', 'recipes', 'sources', 'store', ...ENTRIES],
  sources: ['inputs', 'pipeline', 'recipes', 'store', ...ENTRIES],
  recipes: ['inputs', 'pipeline', 'store', ...ENTRIES],
  store: ['inputs', 'pipeline', 'recipes', 'sources', 'transport', ...ENTRIES],
  pipeline: ['inputs', ...ENTRIES],
  inputs: ENTRIES
}

function layerRule(folder, forbidden, actions = true) {
  const above = { group: forbidden.flatMap(name => [`../${name}/*`, `../${name}.js`]), message: `src/${folder}/ sits below these folders: its imports point down only (see eslint.config.js LAYERS and DESIGN.md).` }
  return { files: [`src/${folder}/**`], rules: { 'no-restricted-imports': ['error', { patterns: actions ? [ACTIONS_ONLY_IN_ENTRIES, above] : [above] }] } }
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'build/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [ACTIONS_ONLY_IN_ENTRIES] }]
    }
  },
  ...Object.entries(LAYERS).map(([folder, forbidden]) => layerRule(folder, forbidden)),
  // The artifact store is the one place below the entries that talks to the Actions runtime.
  { ...layerRule('store', LAYERS.store, false), files: ['src/store/artifact.ts'] },
  {
    files: ['src/action/**', 'src/backup/**', 'src/restore/**', 'src/cleanup/**', '__tests__/**', 'scripts/**'],
    rules: { 'no-restricted-imports': 'off' }
  }
)
