import { mkdtemp, rm } from 'node:fs/promises'
import { join, posix } from 'node:path'
import { recipeById } from '../recipes/registry.js'
import type { AnyRecipe, RawInputs, VerifiedPart } from '../recipes/recipe.js'
import type { Store, StoredBackup } from '../store/store.js'
import type { Transport } from '../transport/transport.js'
import { acquireHostLock } from './host-lock.js'
import { InputError, SelfhostBackupError } from './errors.js'
import type { Logger } from './log.js'
import { parseBackupId, type Manifest } from './manifest.js'
import { fetchVerified } from './restore-fetch.js'
import { takeSafetyCopy, type SafetyCopy } from './safety-copy.js'
import { quote } from './shell.js'
import { detectRecipe } from '../recipes/registry.js'

export interface RestoreRequest {
  app: string
  inputs: RawInputs
  /** Empty: the newest complete backup of this app and host. */
  backupId: string
  dryRun: boolean
  stopCommand: string
  startCommand: string
  safetyCopy: boolean
  /** Empty: a "selfhost-backup-safety" directory beside the app's data directory. */
  safetyCopyDir: string
  /** Restore only these parts; empty: all. */
  parts: string[]
  /** age identities for encrypted backups. */
  identities: string[]
  lockTimeoutSeconds: number
  transport: Transport
  store: Store
  workRoot: string
  logger: Logger
}

export interface RestoreResult {
  backupId: string
  manifest: Manifest
  dryRun: boolean
  plan: string[]
  report: string[]
  safetyCopy?: SafetyCopy
  /** Seconds spent downloading and verifying, and changing the host (0 for a dry run). */
  seconds: { verify: number; host: number }
}

/** Verification first: nothing on the host changes until every part's sha256 matches its manifest. */
export async function runRestore(request: RestoreRequest): Promise<RestoreResult> {
  const { transport, logger, store } = request
  if (request.app !== 'auto') recipeById(request.app)
  if (request.backupId) checkBackupIdMatchesApp(request.backupId, request.app)
  const download = await mkdtemp(join(request.workRoot, 'selfhost-backup-restore-'))
  const started = Date.now()
  let opened = false
  try {
    let app = request.app
    if (app === 'auto' && request.backupId) app = parseBackupId(request.backupId)?.app ?? app
    if (app === 'auto') {
      await transport.open()
      opened = true
      app = (await detectRecipe(transport, request.inputs)).recipe.id
    }
    const recipe = recipeById(app)
    const parsed = recipe.parseOptions(request.inputs)
    const chosen = await findBackup(store, request.backupId, app, transport.hostId)
    logger.info(`Restoring ${chosen.backupId} onto ${transport.label}`)
    const { manifest, parts } = await logger.group('Downloading and verifying', () => fetchVerified(store, chosen, { only: request.parts, identities: request.identities }, download, logger)).catch(error => {
      throw saysHostUnchanged(error)
    })
    const verifySeconds = (Date.now() - started) / 1000
    if (manifest.app !== recipe.id) {
      throw new InputError('backup-id', `${manifest.backupId} is a ${manifest.app} backup, not ${recipe.id}.`, 'pick a backup of the same application, or set `app` to match it.')
    }
    if (!opened) {
      await transport.open()
      opened = true
    }
    const options = await recipe.preflight(transport, parsed, 'restore', { logger })
    const plan = recipe.planRestore(options, { ...manifest, parts: parts.map(part => part.record) })
    logger.info(['Plan:', ...plan.map(step => `  - ${step}`)].join('\n'))
    if (request.dryRun) {
      logger.info('dry-run: nothing on the host was changed.')
      return { backupId: manifest.backupId, manifest, dryRun: true, plan, report: [], seconds: { verify: verifySeconds, host: 0 } }
    }
    const lock = await acquireHostLock(transport, recipe.dataRoot(options), request.lockTimeoutSeconds, logger)
    try {
      const hostStarted = Date.now()
      const result = await replaceData(request, recipe, options, parts, manifest, plan)
      await lock.assertHeld('restore')
      return { ...result, seconds: { verify: verifySeconds, host: (Date.now() - hostStarted) / 1000 } }
    } finally {
      await lock.release()
    }
  } finally {
    await rm(download, { recursive: true, force: true })
    if (opened) await transport.close().catch(error => logger.warning(`Closing the connection: ${(error as Error).message}`))
  }
}

/**
 * Safety copy, stop, restore, start, then the app's own post-start step: the safety copy is an online
 * backup like any other (it may need the app's containers running), and so may the post-start step.
 */
async function replaceData(request: RestoreRequest, recipe: AnyRecipe, options: unknown, parts: VerifiedPart[], manifest: Manifest, plan: string[]): Promise<Omit<RestoreResult, 'seconds'>> {
  const { transport, logger } = request
  let safetyCopy: SafetyCopy | undefined
  if (request.safetyCopy && (await recipe.hasExistingData(transport, options))) {
    const parent = request.safetyCopyDir || posix.join(posix.dirname(recipe.dataRoot(options)), 'selfhost-backup-safety')
    safetyCopy = await logger.group('Keeping a safety copy of the current data', () => takeSafetyCopy(transport, recipe, options, parent, logger))
    logger.info(`Safety copy of the current data: ${safetyCopy.dir}`)
  } else if (!request.safetyCopy) {
    logger.warning('safety-copy is off: the current data is overwritten without a copy.')
  }
  if (request.stopCommand) await runUserCommand(transport, request.stopCommand, 'stop-command')
  else logger.warning('No stop-command: the application keeps running while its data is replaced. Stop it (e.g. docker compose stop) for a clean restore.')
  const report: string[] = []
  try {
    report.push(...(await logger.group('Restoring', () => recipe.restore(transport, options, parts, manifest, { logger }))))
    if (request.startCommand) await runUserCommand(transport, request.startCommand, 'start-command')
    if (recipe.afterStart) report.push(...(await logger.group('After the start', () => recipe.afterStart!(transport, options, parts, manifest, { logger }))))
  } catch (error) {
    throw withRecoveryHint(error, safetyCopy, recipe, options)
  }
  return { backupId: manifest.backupId, manifest, dryRun: false, plan, report, safetyCopy }
}

/** Every failure while fetching happens before the host is touched; the message says so, once. */
function saysHostUnchanged(error: unknown): unknown {
  if (error instanceof SelfhostBackupError && !/nothing on the host was changed/i.test(error.message)) {
    error.message = `${error.message} Nothing on the host was changed.`
  }
  return error
}

function checkBackupIdMatchesApp(backupId: string, app: string): void {
  const parsed = parseBackupId(backupId)
  if (!parsed) {
    throw new InputError('backup-id', `"${backupId}" is not a backup id.`, 'copy the id from the backup job\'s `backup-id` output or from `selfhost-backup list`, e.g. tabby--host--20261123T020000Z-ab12.')
  }
  if (app !== 'auto' && parsed.app !== app) {
    throw new InputError('backup-id', `${backupId} is a ${parsed.app} backup, but app is ${app}.`, 'pick a backup of the same application, or set `app` to match it.')
  }
}

async function findBackup(store: Store, backupId: string, app: string, hostId: string): Promise<StoredBackup> {
  if (backupId) {
    const found = (await store.list({ app })).find(backup => backup.backupId === backupId)
    if (!found) {
      const known = (await store.list({ app })).slice(0, 5).map(backup => backup.backupId)
      throw new InputError('backup-id', `no complete backup ${backupId} was found in the ${store.kind} store.`, known.length > 0 ? `available: ${known.join(', ')}${store.kind === 'github' ? ' (set run-id when the backup was made by another run)' : ''}.` : 'check the id, and run-id / store-path.')
    }
    return found
  }
  const newest = (await store.list({ app, hostId }))[0]
  if (!newest) {
    throw new InputError('backup-id', `no complete ${app} backup of this host (${hostId}) was found in the ${store.kind} store.`, 'set backup-id (and run-id for another workflow run), or check host and store-path.')
  }
  return newest
}

async function runUserCommand(host: Transport, commandText: string, input: string): Promise<void> {
  // The user's own shell command, run as they wrote it: it is configuration, not data.
  await host.run(commandText, { description: `${input} (${commandText.split('\n')[0]})` })
}

function withRecoveryHint(error: unknown, safetyCopy: SafetyCopy | undefined, recipe: AnyRecipe, options: unknown): unknown {
  if (!(error instanceof SelfhostBackupError) && !(error instanceof Error)) return error
  // The root is named explicitly: on the host, $TABBY_ROOT or ~ may not be what the action used.
  const target = `--app ${recipe.id} --${recipe.id}-root ${quote(recipe.dataRoot(options))}${recipe.id === 'seatable' ? ' (plus your db-* and compose-dir options)' : ''}`
  const recovery = safetyCopy
    ? `the data from before the restore is in ${safetyCopy.dir}; put it back with: selfhost-backup restore ${target} --transport local --sudo true --store local --store-path ${quote(posix.dirname(safetyCopy.dir))} --backup-id ${safetyCopy.backupId} --safety-copy false (run on the host).`
    : 'no safety copy was taken.'
  return new SelfhostBackupError(`The restore failed part-way: ${error.message}`, recovery, { cause: error })
}
