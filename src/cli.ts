#!/usr/bin/env node
import { tmpdir } from 'node:os'
import { actionOf, COMMANDS, FROM_FILE, parseCommandLine, secretEnvironmentName, type CommandLine } from './cli/arguments.js'
import { EXIT, exitCodeFor, exitCodeForSignal, keepStdoutForData, report, writeData } from './cli/output.js'
import { INPUTS, inputsOf, type ActionName } from './inputs/definitions.js'
import { appVersionOutput } from './kernel/app-version.js'
import { collectDeadBuffers } from './kernel/dead-buffers.js'
import { describeError, InputError } from './kernel/errors.js'
import { interruption, InterruptedError } from './kernel/interruption.js'
import { consoleLogger, quietText, type Logger } from './kernel/log.js'
import { TOOL_VERSION } from './kernel/version.js'

/**
 * The command-line tool: the same pipeline as the actions, for cron and for a restore from any machine.
 * Reads the command line, calls the pipeline, reports (plain text, or --json), and exits with a code
 * that says what happened. Modules load only for the command that needs them.
 */
export async function main(argv: string[]): Promise<number> {
  let logger = consoleLogger({ verbose: argv.includes('--verbose') || argv.includes('-v'), stdoutForData: argv.includes('--json') })
  try {
    const line = parseCommandLine(argv)
    logger = consoleLogger({ verbose: line.verbose, stdoutForData: line.json })
    if (line.version) {
      process.stdout.write(`${TOOL_VERSION}\n`)
      return EXIT.ok
    }
    if (line.help || !line.command) {
      process.stdout.write(helpText(line.command))
      return line.command || line.help ? EXIT.ok : EXIT.badInput
    }
    for (const input of INPUTS) if (input.secret && line.values.get(input.name)) logger.mask(line.values.get(input.name) as string)
    keepStdoutForData(line)
    interruption.isolateChildren = true
    const stop = (signal: NodeJS.Signals): void => {
      if (interruption.interrupted) process.exit(exitCodeForSignal(signal))
      logger.warning(`${signal}: stopping, and removing what this run created on both machines (press Ctrl-C again to quit at once, leaving it behind)`)
      interruption.interrupt(signal)
    }
    process.on('SIGINT', stop).on('SIGTERM', stop)
    try {
      await runCommand(line, logger)
    } finally {
      process.off('SIGINT', stop).off('SIGTERM', stop)
    }
    if (interruption.interrupted) throw new InterruptedError(interruption.interrupted)
    return EXIT.ok
  } catch (error) {
    const interrupted = interruption.interrupted
    if (interrupted) logger.error(`Interrupted (${interrupted}); what this run had created on the runner and the host was removed, as after any failed run.`)
    else logger.error(describeError(error))
    return interrupted ? exitCodeForSignal(interrupted) : exitCodeFor(error)
  }
}

async function runCommand(line: CommandLine, logger: Logger): Promise<void> {
  const get = (name: string): string => line.values.get(name) ?? ''
  const workRoot = process.env.TMPDIR || tmpdir()
  // The github store outside a workflow run: the REST API of --repository (GITHUB_API_URL for GitHub Enterprise Server).
  const storeEnv = line.repository ? { ...process.env, GITHUB_REPOSITORY: line.repository } : process.env
  const { createStore } = await import('./store/settings.js')
  const { createTransport } = await import('./transport/settings.js')
  if (line.command === 'list') {
    const [{ InputReader }, { parseStoreInputs }, { parseSigningInputs }, { loadManifestKeys }, { listVerified }, { APP_CHOICES }] = await Promise.all([
      import('./kernel/input-reader.js'),
      import('./inputs/store.js'),
      import('./inputs/signing.js'),
      import('./kernel/manifest-keys.js'),
      import('./pipeline/verification.js'),
      import('./recipes/registry.js')
    ])
    const reader = new InputReader(get)
    const store = createStore(parseStoreInputs(reader, 'restore'), storeEnv, logger)
    const app = reader.choice('app', APP_CHOICES)
    const { trust } = await loadManifestKeys(parseSigningInputs(reader, 'ssh', 'verify'))
    const listed = await listVerified(store, app === 'auto' ? {} : { app }, { workRoot, trust }, logger)
    if (line.json)
      writeData(
        `${JSON.stringify(
          listed.map(({ backupId, app: listedApp, hostId, createdAt }) => ({ backupId, app: listedApp, hostId, createdAt })),
          null,
          2
        )}\n`
      )
    else for (const backup of listed) writeData(quietText(`${backup.backupId}\t${backup.createdAt}\n`))
    if (listed.length === 0) logger.info('No complete backups with a trusted signature found.')
    return
  }
  if (line.command === 'put-back') {
    const [{ InputReader }, { parseTargetInputs }, { runPutBack }] = await Promise.all([import('./kernel/input-reader.js'), import('./inputs/target.js'), import('./pipeline/put-back.js')])
    const target = parseTargetInputs(new InputReader(get), 'restore')
    const transport = createTransport(target.transport, logger, { tempRoot: workRoot })
    await runPutBack({ recipes: target.recipes, transport, stamp: line.replaced, lockTimeoutSeconds: target.lockTimeoutSeconds, logger })
    return
  }
  if (line.command === 'backup' || line.command === 'check') {
    const [{ parseBackupInputs }, { runBackupCommand }, { backupOutcomeSummary }] = await Promise.all([
      import('./inputs/backup.js'),
      import('./pipeline/backup-command.js'),
      import('./pipeline/report.js')
    ])
    // check is the gate: mode: check of the backup command, with nothing on the host touched.
    const inputs = parseBackupInputs(name => (line.command === 'check' && name === 'mode' ? 'check' : get(name)))
    if (inputs.store.kind === 'github' && inputs.verification.mode === 'backup' && !process.env.ACTIONS_RUNTIME_TOKEN) {
      throw new InputError(
        'store',
        'github (workflow artifacts) can be written only by a step of a workflow run.',
        'back up from a workflow with the action, or use --store local or s3 here; list, check, restore and --mode prune read the github store from anywhere (--repository owner/name, --github-token-file PATH).'
      )
    }
    const transport = createTransport(inputs.transport, logger, { tempRoot: workRoot })
    const store = createStore(inputs.store, storeEnv, logger)
    const outcome = await runBackupCommand(inputs, { transport, store, workRoot, logger })
    report(backupOutcomeSummary(outcome), backupJson(outcome), { json: line.json })
    return
  }
  const [{ parseRestoreInputs }, { runRestore }, { restoreSummary }, { safetyCopyPaths }] = await Promise.all([
    import('./inputs/restore.js'),
    import('./pipeline/restore.js'),
    import('./pipeline/report.js'),
    import('./pipeline/safety-copy.js')
  ])
  const inputs = parseRestoreInputs(get)
  const transport = createTransport(inputs.transport, logger, { tempRoot: workRoot })
  const store = createStore(inputs.store, storeEnv, logger)
  const result = await runRestore({ ...inputs, transport, store, workRoot, logger })
  const json = {
    backupId: result.backupId,
    restored: !result.dryRun,
    appVersion: appVersionOutput(result.manifest.application),
    safetyCopy: safetyCopyPaths(result.safetyCopy),
    safetyCopyDatabases: result.safetyCopy?.keptDatabases ?? [],
    safetyCopyId: result.safetyCopy?.stamp ?? '',
    report: result.report
  }
  report(restoreSummary(result), json, { json: line.json })
}

/** The backup command's outcome for scripts: what the action's outputs say, by the same names in camelCase. */
function backupJson(outcome: Awaited<ReturnType<typeof import('./pipeline/backup-command.js').runBackupCommand>>): unknown {
  if (outcome.mode === 'check')
    return { mode: 'check', backupId: outcome.manifest.backupId, finishedAt: outcome.manifest.finishedAt, verified: true, appVersion: appVersionOutput(outcome.manifest.application) }
  if (outcome.mode === 'prune') return { mode: 'prune', pruned: outcome.pruned.deleted, kept: outcome.pruned.kept.map(kept => kept.backupId), dryRun: outcome.pruned.dryRun }
  const { manifest } = outcome.result
  return {
    mode: 'backup',
    backupId: manifest.backupId,
    manifest: outcome.result.manifestPath,
    bytes: outcome.result.bytes,
    verified: outcome.result.verified,
    encrypted: manifest.encryption !== undefined,
    appVersion: appVersionOutput(manifest.application),
    notCovered: manifest.notCovered ?? [],
    parts: manifest.parts.map(part => ({ name: part.name, file: part.file, bytes: part.bytes, sha256: part.sha256 })),
    pruned: outcome.pruned?.deleted ?? []
  }
}

function helpText(command?: string): string {
  const header = [
    `selfhost-backup ${TOOL_VERSION}: back up and restore self-hosted applications (Tabby, SeaTable).`,
    '',
    `Usage: selfhost-backup ${COMMANDS.join('|')} [options]`,
    '       selfhost-backup COMMAND --help     the options of one command',
    '',
    'Commands:',
    '  backup     back up an application (or, with --mode prune, only apply retention)',
    '  check      the pre-upgrade gate: is there a recent, drill-verified backup? (needs --max-age)',
    '  list       the complete backups in a store whose signature verifies',
    '  restore    verify a backup, then restore it onto the host (safety copy first)',
    '  put-back   move back the files and databases a restore replaced (--replaced ID, its safety-copy-id)',
    '',
    'Tool options: -h, --help; -V, --version; -v, --verbose; --json (machine-readable result on stdout, log on stderr).',
    'The github store outside a workflow run (list, check, restore): --store github --repository owner/name --github-token-file PATH.',
    'Switches (e.g. --dry-run) take a bare form, --no-NAME, or true/false. "--" ends the options.',
    'Exit codes: 0 done; 1 failed; 2 bad input; 3 a backup or the restored data did not verify; 4 no backup to restore or to pass the gate; 130 interrupted (Ctrl-C; 143 for SIGTERM).',
    ''
  ].join('\n')
  const actions: ActionName[] = command ? [actionOf(command as never)] : ['backup', 'restore']
  const sections = actions.map(name => {
    const lines = inputsOf(name).map(input => {
      const fallback = input.cliDefault ?? input.default
      const flag = input.secret ? `${input.name}-file PATH` : input.name
      return `  --${flag.padEnd(30)} ${input.description}${fallback && !input.secret ? ` (default: ${fallback})` : ''}`
    })
    return `\n${command ?? name} options:\n${lines.join('\n')}\n`
  })
  const secrets = INPUTS.filter(input => input.secret).map(input => input.name)
  const files = `\nSecrets never go on the command line: ${secrets.map(name => `--${name}-file PATH or $${secretEnvironmentName(name)}`).join(', ')}.\nAlso from files: ${[...FROM_FILE].map(name => `--${name}-file PATH`).join(', ')}.\n`
  return `${header}${sections.join('')}${files}`
}

collectDeadBuffers()
process.exitCode = await main(process.argv.slice(2))
