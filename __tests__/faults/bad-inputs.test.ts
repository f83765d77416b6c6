import { parseBackupInputs } from '../../src/inputs/backup.js'
import { InputError } from '../../src/kernel/errors.js'
import { inputsOf, type ActionName } from '../../src/inputs/definitions.js'
import { RECIPES } from '../../src/recipes/registry.js'
import { parseRestoreInputs } from '../../src/inputs/restore.js'
import { recordCase } from '../support/fault-report.js'
import { HOSTILE_VALUES } from '../support/hostile-values.js'

const PRIVATE_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----'
const VALID: Record<string, string> = { host: 'tabby.example.com', user: 'deploy', 'ssh-key': PRIVATE_KEY, 'known-hosts': 'tabby.example.com ssh-ed25519 AAAAC3Nza' }
const TYPED: Record<string, 'boolean' | 'integer' | 'choice'> = {
  sudo: 'boolean',
  'insecure-skip-host-key-check': 'boolean',
  'dry-run': 'boolean',
  'safety-copy': 'boolean',
  'skip-log-tables': 'boolean',
  'dtable-db-backup': 'boolean',
  'require-encryption': 'boolean',
  'fail-on-shrink': 'boolean',
  's3-force-path-style': 'boolean',
  'tabby-keep-migration-copies': 'boolean',
  'allow-version-mismatch': 'boolean',
  coverage: 'choice',
  'seatable-s3': 'choice',
  port: 'integer',
  's3-object-lock-days': 'integer',
  'keep-last': 'integer',
  'keep-daily': 'integer',
  'keep-weekly': 'integer',
  'keep-monthly': 'integer',
  'keep-yearly': 'integer',
  's3-object-lock-mode': 'choice',
  'on-budget': 'choice',
  'retention-days': 'integer',
  'run-id': 'integer',
  'db-port': 'integer',
  'lock-timeout': 'integer',
  'shrink-threshold': 'integer',
  app: 'choice',
  transport: 'choice',
  store: 'choice',
  compression: 'choice',
  'db-mode': 'choice',
  'seatable-layout': 'choice',
  verify: 'choice',
  mode: 'choice'
}
const REQUIRED_WITH_SSH = ['host', 'user', 'ssh-key', 'known-hosts']
const parsers: Record<ActionName, (get: (name: string) => string) => unknown> = { backup: parseBackupInputs, restore: parseRestoreInputs }

/** The app whose recipe reads an input, so its own validation runs; generic inputs use Tabby. */
function appFor(input: string): string {
  return RECIPES.find(recipe => recipe.id !== 'tabby' && recipe.inputs.includes(input) && !RECIPES[0].inputs.includes(input))?.id ?? 'tabby'
}

function attempt(action: ActionName, input: string, value: string): { error?: unknown } {
  const values: Record<string, string> = { ...Object.fromEntries(inputsOf(action).map(definition => [definition.name, definition.default])), ...VALID, app: appFor(input), [input]: value }
  if (input === 'run-id') values['github-token'] = 'token'
  // The s3-* inputs are read only with store: s3 (a bucket named, unless the bucket is what is tested).
  if (input.startsWith('s3-')) Object.assign(values, { store: 's3', 's3-bucket': 'backups', 's3-access-key-id': 'AKIAEXAMPLE', 's3-secret-access-key': 'example-secret' }, { [input]: value })
  try {
    parsers[action](name => values[name] ?? '')
    return {}
  } catch (error) {
    return { error }
  }
}

const cases: [ActionName, string, string, string, boolean][] = []
for (const action of ['backup', 'restore'] as const) {
  for (const { name, secret } of inputsOf(action)) {
    cases.push([action, name, 'far too long', 'x'.repeat(70_000), true])
    cases.push([action, name, 'a NUL byte', `a\0b`, true])
    if (TYPED[name]) cases.push([action, name, `not a ${TYPED[name]}`, 'maybe?', true])
    if (REQUIRED_WITH_SSH.includes(name)) cases.push([action, name, 'empty', '', true])
    for (const hostile of HOSTILE_VALUES) if (!secret) cases.push([action, name, `hostile ${JSON.stringify(hostile).slice(0, 30)}`, hostile, false])
  }
}

describe('every input of both actions, given bad values', () => {
  it.each(cases)('%s %s: %s → a clear error naming it, or accepted as plain data', (action, input, label, value, mustFail) => {
    const { error } = attempt(action, input, value)
    const clear = error instanceof InputError && error.input === input && error.hint !== '' && !error.message.includes(value.length > 8 ? value : '\0never')
    const outcome = error === undefined ? !mustFail : clear
    // The table counts values that must be refused; hostile text a quoted input may carry is checked, not counted.
    if (mustFail) recordCase({ suite: 'bad-inputs', case: `${action} ${input}: ${label}`, kind: 'bad-input', outcome: outcome ? 'passed' : 'failed' })
    if (mustFail || error !== undefined) {
      expect(error).toBeInstanceOf(InputError)
      expect((error as InputError).input).toBe(input)
      expect((error as InputError).hint).not.toBe('')
    }
    const found = inputsOf(action).find(definition => definition.name === input)
    if (found?.secret && value.length >= 4 && error instanceof Error) expect(`${error.message} ${(error as InputError).hint}`).not.toContain(value.slice(0, 40))
  })
})
