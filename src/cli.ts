#!/usr/bin/env node
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { parseBackupInputs } from './inputs/backup.js'
import { runBackupCommand } from './pipeline/backup-command.js'
import { describeError, InputError } from './kernel/errors.js'
import { inputsOf, INPUTS, type ActionName } from './inputs/definitions.js'
import { InputReader } from './kernel/input-reader.js'
import { loadManifestKeys } from './kernel/manifest-keys.js'
import { parseSigningInputs } from './inputs/signing.js'
import { listVerified } from './pipeline/verification.js'
import { consoleLogger, quietText } from './kernel/log.js'
import { backupOutcomeSummary, restoreSummary } from './pipeline/report.js'
import { runRestore } from './pipeline/restore.js'
import { runPutBack } from './pipeline/put-back.js'
import { parseTargetInputs } from './inputs/target.js'
import { TOOL_VERSION } from './kernel/version.js'
import { APP_CHOICES } from './recipes/registry.js'
import { parseRestoreInputs } from './inputs/restore.js'
import { createStore } from './store/settings.js'
import { parseStoreInputs } from './inputs/store.js'
import { createTransport } from './transport/settings.js'

/** Inputs whose value is long or key material: also readable from a file (--NAME-file PATH). */
const FROM_FILE = new Set(['known-hosts', 'trusted-signers'])
/**
 * Every secret input comes from a file (--NAME-file PATH) or the environment (SELFHOST_BACKUP_NAME), never
 * from the command line itself, where `ps` shows it to every user of the machine.
 */
const FILE_FLAGS: Record<string, string> = Object.fromEntries(INPUTS.filter(input => input.secret || FROM_FILE.has(input.name)).map(input => [`${input.name}-file`, input.name]))
const secretEnvironmentName = (input: string): string => `SELFHOST_BACKUP_${input.toUpperCase().replace(/-/g, '_')}`
const COMMANDS = ['backup', 'restore', 'list', 'put-back'] as const

export async function main(argv: string[]): Promise<number> {
  const logger = consoleLogger({ verbose: argv.includes('--verbose') })
  try {
    const [commandName, ...rest] = argv
    if (!commandName || commandName === '--help' || commandName === 'help' || rest.includes('--help')) {
      process.stdout.write(helpText(COMMANDS.includes(commandName as never) ? (commandName as ActionName) : undefined))
      return 0
    }
    if (commandName === '--version') {
      process.stdout.write(`${TOOL_VERSION}\n`)
      return 0
    }
    if (!COMMANDS.includes(commandName as never)) throw new InputError('command', `"${commandName}" is not a command.`, `use one of: ${COMMANDS.join(', ')} (see --help).`)
    // put-back takes the restore's options that name the installation, plus the restore's safety-copy id.
    const replacedAt = rest.indexOf('--replaced')
    const replaced = commandName === 'put-back' && replacedAt >= 0 ? (rest.splice(replacedAt, 2)[1] ?? '') : ''
    const values = parseFlags(rest, commandName === 'list' || commandName === 'put-back' ? 'restore' : (commandName as ActionName))
    const get = (name: string): string => values.get(name) ?? ''
    for (const input of INPUTS) if (input.secret && get(input.name)) logger.mask(get(input.name))
    const workRoot = process.env.TMPDIR || tmpdir()
    if (commandName === 'list') {
      const reader = new InputReader(get)
      const store = createStore(parseStoreInputs(reader, 'restore'), process.env, logger)
      const app = reader.choice('app', APP_CHOICES)
      const { trust } = await loadManifestKeys(parseSigningInputs(reader, 'ssh', 'verify'))
      const listed = await listVerified(store, app === 'auto' ? {} : { app }, { workRoot, trust }, logger)
      for (const backup of listed) process.stdout.write(quietText(`${backup.backupId}\t${backup.createdAt}\n`))
      if (listed.length === 0) logger.info('No complete backups with a trusted signature found.')
      return 0
    }
    if (commandName === 'put-back') {
      const target = parseTargetInputs(new InputReader(get), 'restore')
      const transport = createTransport(target.transport, logger, { tempRoot: workRoot })
      await runPutBack({ recipes: target.recipes, transport, stamp: replaced, lockTimeoutSeconds: target.lockTimeoutSeconds, logger })
      return 0
    }
    if (commandName === 'backup') {
      const inputs = parseBackupInputs(get)
      const transport = createTransport(inputs.transport, logger, { tempRoot: workRoot })
      const store = createStore(inputs.store, process.env, logger)
      const outcome = await runBackupCommand(inputs, { transport, store, workRoot, logger })
      process.stdout.write(quietText(backupOutcomeSummary(outcome)))
      return 0
    }
    const inputs = parseRestoreInputs(get)
    const transport = createTransport(inputs.transport, logger, { tempRoot: workRoot })
    const store = createStore(inputs.store, process.env, logger)
    const result = await runRestore({ ...inputs, transport, store, workRoot, logger })
    process.stdout.write(quietText(restoreSummary(result)))
    return 0
  } catch (error) {
    logger.error(describeError(error))
    return 1
  }
}

function parseFlags(args: string[], action: ActionName): Map<string, string> {
  const known = new Map(inputsOf(action).map(input => [input.name, input]))
  const values = new Map<string, string>(
    inputsOf(action).map(input => [
      input.name,
      process.env[secretEnvironmentName(input.name)] && input.secret ? (process.env[secretEnvironmentName(input.name)] as string) : (input.cliDefault ?? input.default)
    ])
  )
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]
    if (arg === '--verbose') continue
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/s.exec(arg)
    if (!match) throw new InputError('command line', `"${arg}" is not a --flag.`, 'see --help.')
    const [, name, inline] = match
    const value = inline ?? args[++index]
    if (value === undefined) throw new InputError(name, 'needs a value.', `write --${name} VALUE.`)
    if (FILE_FLAGS[name]) {
      try {
        values.set(FILE_FLAGS[name], readFileSync(value, 'utf8'))
      } catch {
        throw new InputError(name, `cannot read the file "${value}".`, 'check the path and its permissions.')
      }
      continue
    }
    if (!known.has(name)) throw new InputError(name, `is not an option of ${action}.`, `see \`selfhost-backup ${action} --help\`.`)
    if (known.get(name)?.secret) {
      throw new InputError(
        name,
        'is a secret, and a value on the command line is visible to every user of this machine (ps, /proc) and lands in shell history.',
        `use --${name}-file PATH (a file only you can read) or the environment variable ${secretEnvironmentName(name)}.`
      )
    }
    values.set(name, value)
  }
  return values
}

function helpText(action?: ActionName): string {
  const header = `selfhost-backup ${TOOL_VERSION}: back up and restore self-hosted applications.\n\nUsage: selfhost-backup backup|restore|list|put-back [--option value …]\n`
  const actions: ActionName[] = action ? [action] : ['backup', 'restore']
  const sections = actions.map(name => {
    const lines = inputsOf(name).map(input => {
      const fallback = input.cliDefault ?? input.default
      return `  --${input.name.padEnd(30)} ${input.description}${fallback ? ` (default: ${fallback})` : ''}`
    })
    return `\n${name} options:\n${lines.join('\n')}\n`
  })
  const secrets = INPUTS.filter(input => input.secret).map(input => input.name)
  const files = `\nSecrets never go on the command line: ${secrets.map(name => `--${name}-file PATH or $${secretEnvironmentName(name)}`).join(', ')}.\nAlso from files: ${[...FROM_FILE].map(name => `--${name}-file PATH`).join(', ')}.\nlist takes --store, --store-path, --app and the keys that verify signatures (--signing-key-file, --ssh-key-file or --trusted-signers).\nput-back --replaced ID (a restore's safety-copy id) moves back the files that restore replaced; it takes the restore's --app, directory and connection options.\n`
  return header + sections.join('') + files
}

process.exitCode = await main(process.argv.slice(2))
