import { readFileSync } from 'node:fs'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { inputsOf, type ActionName, type InputDefinition } from '../inputs/definitions.js'
import { InputError } from '../kernel/errors.js'
import { isRepositoryName } from '../kernel/repository-name.js'

export const COMMANDS = ['backup', 'restore', 'list', 'check', 'put-back'] as const
export type CommandName = (typeof COMMANDS)[number]

/** Inputs whose value is long or key material: also readable from a file (--NAME-file PATH). */
export const FROM_FILE = new Set(['known-hosts', 'trusted-signers'])

/** The environment variable a secret input is read from (SELFHOST_BACKUP_SSH_KEY for ssh-key). */
export const secretEnvironmentName = (input: string): string => `SELFHOST_BACKUP_${input.toUpperCase().replace(/-/g, '_')}`

/** Flags of the tool itself, beside the inputs of the command. */
const TOOL_FLAGS = { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'V' }, json: { type: 'boolean' }, verbose: { type: 'boolean', short: 'v' } } as const

export interface CommandLine {
  command: CommandName | undefined
  help: boolean
  version: boolean
  /** Machine-readable output on stdout (the log goes to stderr). */
  json: boolean
  verbose: boolean
  /** Input values by input name, defaults filled in (the CLI's own where they differ from the action's). */
  values: Map<string, string>
  /** put-back: the restore's safety-copy id. */
  replaced: string
  /** list, check, restore: the repository whose artifacts the github store reads outside a workflow run. */
  repository: string
}

/** Which action's inputs a command takes: list, check and put-back name a backup or an install like a restore does. */
export function actionOf(command: CommandName): ActionName {
  return command === 'backup' || command === 'check' ? 'backup' : 'restore'
}

/** An input is a switch when its default is true or false: given bare (--dry-run), as --no-dry-run, or with true/false. */
const isSwitch = (input: InputDefinition): boolean => input.default === 'true' || input.default === 'false'

/**
 * Parses the command line with node:util parseArgs, strictly: an unknown flag, a flag without its value,
 * a stray word or a secret given as a plain value is an InputError that names it. Switches take a bare
 * form, --no-NAME, or an explicit true/false (--safety-copy false); secrets come only from --NAME-file or
 * the environment, never the command line, where `ps` shows them to every user.
 */
export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv = process.env): CommandLine {
  const first = argv[0]
  const command = first !== undefined && !first.startsWith('-') ? first : undefined
  if (command !== undefined && !(COMMANDS as readonly string[]).includes(command)) {
    throw new InputError('command', `"${command}" is not a command.`, `use one of: ${COMMANDS.join(', ')} (see --help).`)
  }
  const action = command ? actionOf(command as CommandName) : 'backup'
  const inputs = command ? inputsOf(action) : []
  const options: NonNullable<ParseArgsConfig['options']> = { ...TOOL_FLAGS }
  for (const input of inputs) {
    if (input.secret) continue
    options[input.name] = { type: 'string' }
    if (FROM_FILE.has(input.name)) options[`${input.name}-file`] = { type: 'string' }
  }
  for (const input of inputs.filter(candidate => candidate.secret)) options[`${input.name}-file`] = { type: 'string' }
  if (command === 'put-back') options.replaced = { type: 'string' }
  if (command !== 'put-back') options.repository = { type: 'string' }
  const args = normalizeSwitches(command ? argv.slice(1) : argv, inputs)
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: false, allowNegative: false })
  } catch (error) {
    throw explainParseError(error as Error & { code?: string }, command, inputs)
  }
  const given = parsed.values as Record<string, string | boolean | undefined>
  const values = new Map<string, string>(inputs.map(input => [input.name, input.secret ? (env[secretEnvironmentName(input.name)] ?? '') : (input.cliDefault ?? input.default)]))
  for (const input of inputs) {
    const direct = given[input.name]
    if (typeof direct === 'string') values.set(input.name, direct)
    const file = given[`${input.name}-file`]
    if (typeof file === 'string') values.set(input.name, readValueFile(`${input.name}-file`, file))
  }
  return {
    command: command as CommandName | undefined,
    help: given.help === true,
    version: given.version === true,
    json: given.json === true,
    verbose: given.verbose === true,
    values,
    replaced: typeof given.replaced === 'string' ? given.replaced : '',
    repository: repositoryOf(given.repository)
  }
}

/** --dry-run → --dry-run=true, --no-dry-run → --dry-run=false, --dry-run false → --dry-run=false; after "--" nothing changes. */
function normalizeSwitches(args: string[], inputs: InputDefinition[]): string[] {
  const switches = new Set(inputs.filter(isSwitch).map(input => input.name))
  const result: string[] = []
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]
    if (arg === '--') {
      result.push(...args.slice(index))
      break
    }
    const negated = /^--no-([a-z0-9-]+)$/.exec(arg)
    if (negated && switches.has(negated[1])) {
      result.push(`--${negated[1]}=false`)
      continue
    }
    const bare = /^--([a-z0-9-]+)$/.exec(arg)
    if (bare && switches.has(bare[1])) {
      const next = args[index + 1]
      if (next === 'true' || next === 'false') {
        result.push(`--${bare[1]}=${next}`)
        index++
      } else result.push(`--${bare[1]}=true`)
      continue
    }
    result.push(arg)
  }
  return result
}

function repositoryOf(value: string | boolean | undefined): string {
  if (typeof value !== 'string') return ''
  if (!isRepositoryName(value)) throw new InputError('repository', `"${value}" is not owner/name.`, 'write it as GitHub shows it, e.g. --repository your-org/infrastructure.')
  return value
}

function readValueFile(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    throw new InputError(flag, `cannot read the file "${path}".`, 'check the path and its permissions.')
  }
}

/** parseArgs' errors, as an InputError that names the flag and says what to write instead. */
function explainParseError(error: Error & { code?: string }, command: string | undefined, inputs: InputDefinition[]): InputError {
  const where = command ? `selfhost-backup ${command} --help` : 'selfhost-backup --help'
  const flag = /'(-{1,2}[^' ]+)/.exec(error.message)?.[1] ?? ''
  const name = flag.replace(/^-+/, '').split('=')[0]
  const input = inputs.find(candidate => candidate.name === name)
  if (input?.secret) {
    return new InputError(
      name,
      'is a secret, and a value on the command line is visible to every user of this machine (ps, /proc) and lands in shell history.',
      `use --${name}-file PATH (a file only you can read) or the environment variable ${secretEnvironmentName(name)}.`
    )
  }
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const known = !command ? ' Name the command first, e.g. selfhost-backup backup --app tabby.' : ''
    return new InputError(name || 'command line', `is not an option of ${command ?? 'selfhost-backup'}.${known}`, `see \`${where}\`.`)
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return new InputError(name || 'command line', 'needs a value.', `write --${name} VALUE (see \`${where}\`).`)
  if (error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const word = /'([^']*)'/.exec(error.message)?.[1] ?? ''
    return new InputError('command line', `"${word}" is not a --flag, and ${command ?? 'selfhost-backup'} takes no other arguments.`, `see \`${where}\`.`)
  }
  return new InputError('command line', error.message, `see \`${where}\`.`)
}
