import { mkdtemp, rm } from 'node:fs/promises'
import { join, posix } from 'node:path'
import type { VerifiedPart } from '../recipes/recipe.js'
import type { Store } from '../store/store.js'
import type { Transport } from '../transport/transport.js'
import { acquireHostLock } from './lock.js'
import { InputError, isOutOfSpace, RunnerSpaceError, SelfhostBackupError, VerificationError } from '../kernel/errors.js'
import { formatBytes, formatSeconds, type Logger } from '../kernel/log.js'
import { compactTimestamp, parseBackupId, type Manifest, type PartRecord } from '../kernel/manifest.js'
import { loadManifestKeys, type SigningSettings } from '../kernel/manifest-keys.js'
import { fetchVerifiedParts, type FetchPlace } from './restore-fetch.js'
import { openIncoming, removeIncoming } from './host-incoming.js'
import { takeSafetyCopy, type SafetyCopy } from './safety-copy.js'
import { SwapJournal } from '../recipes/host-swap.js'
import { Preparations } from './prepared-swaps.js'
import { rolledBack, withRecoveryHint, type RestoreTarget } from './restore-recovery.js'
import type { PartSink, PreparedPart } from '../recipes/recipe.js'
import { randomBytes } from 'node:crypto'
import { chooseSafePlace, dataRootTag, ROOT_PLACE, type HostPlace } from './host-places.js'
import { SAFETY_COPY_FIX } from './safety-copy.js'
import type { ManifestReading } from './verification.js'
import { detectRecipe, type RecipeChoice } from '../recipes/registry.js'
import { StageClock } from './stage-clock.js'
import { checkBackupIdMatchesApp, chooseBackup } from './restore-choice.js'
import { checkAppVersion } from './app-version-check.js'
import { settled } from '../kernel/concurrency.js'

/** What a restore is asked to do, as the inputs (action or CLI) describe it. */
export interface RestoreCommand {
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
  /** Only manifests signed by these keys are restored; the private key signs the safety copy. */
  signing: SigningSettings
  /** Restore data made by a newer version of the app than the host runs (refused by default). */
  allowVersionMismatch: boolean
}

export interface RestoreRequest extends RestoreCommand {
  /** The app's recipe with its options, or with `app: auto` every candidate (the backup id or the host picks one). */
  recipes: RecipeChoice[]
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
  /** Which version of the app the data belongs to, against what the host runs (a sentence). */
  versions: string
  /** The parts this restore downloaded and verified (all, or those `parts` named). */
  parts: string[]
}

/**
 * Verification first: the manifest's signature before any of its fields is used, this host's recipe
 * rules before any part is downloaded, every part's sha256 before anything on the host changes.
 */
export async function runRestore(request: RestoreRequest): Promise<RestoreResult> {
  const { transport, logger, store } = request
  if (request.backupId) checkBackupIdMatchesApp(request.backupId, request.recipes)
  const keys = await loadManifestKeys(request.signing)
  const download = await mkdtemp(join(request.workRoot, 'selfhost-backup-restore-'))
  const reading: ManifestReading = { workRoot: download, trust: keys.trust }
  const started = Date.now()
  const stages = new StageClock()
  let opened = false
  try {
    // With app: auto, the backup id names the app; without one, the host does.
    const named = request.backupId ? request.recipes.filter(candidate => candidate.recipe.id === parseBackupId(request.backupId)?.app) : request.recipes
    if (named.length > 1) {
      await transport.open()
      opened = true
    }
    const { recipe, options: parsed } = await detectRecipe(transport, named)
    const { backup: chosen, manifest } = await chooseBackup(store, request.backupId, { app: recipe.id, hostId: transport.hostId }, reading, logger).catch(error => {
      throw saysHostUnchanged(error)
    })
    logger.info(`Restoring ${chosen.backupId} onto ${transport.label}`)
    stages.end('find and verify the manifest')
    if (manifest.app !== recipe.id) {
      throw new InputError('backup-id', `${manifest.backupId} is a ${manifest.app} backup, not ${recipe.id}.`, 'pick a backup of the same application, or set `app` to match it.')
    }
    if (!opened) {
      await transport.open()
      opened = true
    }
    const options = await recipe.preflight(transport, parsed, 'restore', { logger })
    // Only the parts this restore will write must fit the host (parts: data onto another layout is fine).
    const selected = manifest.parts.filter(part => request.parts.length === 0 || request.parts.includes(part.name))
    const fitting = { ...manifest, parts: selected }
    const partNames = selected.map(part => part.name)
    const doesNotFit = (problems: string[]): VerificationError =>
      new VerificationError(
        `${manifest.backupId} does not fit this ${recipe.title} host; nothing was downloaded and nothing on the host was changed:\n${problems.map(problem => `  - ${problem}`).join('\n')}`,
        "restore a backup made by this repository's backup job for this installation, or set the inputs named above."
      )
    const problems: string[] = recipe.acceptManifest(options, fitting)
    if (problems.length > 0) throw doesNotFit(problems)
    // Only a manifest whose shape the recipe accepted is held against the host; the running version is asked beside it.
    const [restorable, versionCheck] = await Promise.allSettled([
      recipe.restorable?.(transport, options, fitting) ?? Promise.resolve([]),
      checkAppVersion(transport, { recipe, options }, manifest, request.allowVersionMismatch, logger)
    ])
    problems.push(...settled(restorable))
    if (problems.length > 0) throw doesNotFit(problems)
    const versions = settled(versionCheck)
    const plan = recipe.planRestore(options, fitting)
    stages.end('connect and preflight')
    logger.info(['Plan:', ...plan.map(step => `  - ${step}`)].join('\n'))
    const fetchInto = (staging: FetchPlace['staging'], title: string, onStaged?: FetchPlace['onStaged']): Promise<VerifiedPart[]> =>
      logger
        .group(title, () => fetchVerifiedParts(store, chosen, manifest, { only: request.parts, identities: request.identities }, { runnerDir: download, staging, onStaged }, reading, logger))
        .catch(error => {
          throw saysHostUnchanged(isOutOfSpace(error) ? runnerFullWhileFetching(request.workRoot, selected, error) : error)
        })
    if (request.dryRun) {
      await fetchInto(null, 'Downloading and verifying')
      logger.info('dry-run: nothing on the host was changed.')
      return { backupId: manifest.backupId, manifest, dryRun: true, plan, report: [], seconds: { verify: (Date.now() - started) / 1000, host: 0 }, versions: versions.summary, parts: partNames }
    }
    const lock = await acquireHostLock(transport, recipe.dataRoot(options), request.lockTimeoutSeconds, logger)
    try {
      const incoming = await openIncoming(transport, recipe.dataRoot(options), logger)
      stages.end('lock')
      // Names what this restore keeps (renamed directories, kept databases) and what it prepares beside the data.
      const stamp = restoreStamp(new Date())
      // Started as each part is staged, beside the transfer of the next; nothing live changes until the stop.
      const preparations = new Preparations(recipe.prepareSwap && (part => recipe.prepareSwap!(transport, options, part, { logger, stamp })), logger)
      try {
        const parts = await fetchInto({ host: transport, dir: incoming }, 'Downloading, verifying and staging on the host', part => preparations.add(part))
        stages.end('download, verify and stage')
        const prepared = await preparations.ready().catch(error => {
          throw saysHostUnchanged(error)
        })
        if (prepared.length > 0) stages.end('imports beside the live data')
        const verifySeconds = (Date.now() - started) / 1000
        const hostStarted = Date.now()
        const target = { recipe, options, signer: keys.signer, application: versions.running }
        const result = await replaceData(request, target, { parts, prepared: new Map(prepared.map(part => [part.part, part])), stamp }, manifest, plan, stages)
        await lock.assertHeld('restore')
        logger.info(`Stages: ${stages.summary()}`)
        return { ...result, seconds: { verify: verifySeconds, host: (Date.now() - hostStarted) / 1000 }, versions: versions.summary, parts: partNames }
      } finally {
        await preparations.abandon()
        await removeIncoming(transport, incoming, logger)
      }
    } finally {
      await lock.release()
    }
  } finally {
    await rm(download, { recursive: true, force: true })
    if (opened) await transport.close().catch(error => logger.warning(`Closing the connection: ${(error as Error).message}`))
  }
}

/** The verified parts on the host, which of them were prepared beside the live data, and the restore's stamp. */
interface StagedRestore {
  parts: VerifiedPart[]
  prepared: ReadonlyMap<string, PreparedPart>
  stamp: string
}

/**
 * Safety copy of what an import in place replaces, stop, swap, start, then the app's own post-start step.
 * Files are swapped out by rename and prepared databases by RENAME TABLE, which keeps them (the safety copy);
 * a database imported in place is dumped first, while the app still runs, because the import drops it.
 * A failure before the start puts every swap back (restore-recovery.ts).
 */
async function replaceData(
  request: RestoreRequest,
  target: RestoreTarget,
  staged: StagedRestore,
  manifest: Manifest,
  plan: string[],
  stages: StageClock
): Promise<Omit<RestoreResult, 'seconds' | 'versions' | 'parts'>> {
  const { transport, logger } = request
  const { recipe, options, signer } = target
  const { parts, prepared } = staged
  let databases: SafetyCopy['databases']
  // A prepared database is kept by its swap; only one imported in place needs a dump of it first.
  const imported = parts.map(part => part.record).filter(part => part.kind === 'sql-dump' && !prepared.has(part.name))
  if (request.safetyCopy && recipe.copyBeforeImport && imported.length > 0) {
    if (!signer) throw new Error('a safety copy needs a signing key (parseSigningInputs requires one)')
    const parent = await safetyCopyParent(request, recipe.dataRoot(options))
    const produce = (sink: PartSink): Promise<void> => recipe.copyBeforeImport!(transport, options, sink, imported, { logger })
    const began = Date.now()
    databases = await logger.group('Keeping a safety copy of the databases the restore imports', () =>
      takeSafetyCopy(transport, { recipe, options, signer, produce, application: target.application }, parent)
    )
    if (databases) logger.info(`Safety copy of the databases: ${databases.dir} (${formatSeconds(Date.now() - began)})`)
    stages.end("databases' safety copy")
  } else if (!request.safetyCopy) {
    logger.warning('safety-copy is off: what the restore replaces is removed once it succeeded.')
  }
  if (request.stopCommand) {
    await runUserCommand(transport, request.stopCommand, 'stop-command')
    stages.end('stop')
  } else logger.warning('No stop-command: the application keeps running while its data is replaced. Stop it (e.g. docker compose stop) for a clean restore.')
  const swaps = new SwapJournal(transport, staged.stamp, logger)
  const report: string[] = []
  const began = Date.now()
  try {
    report.push(...(await logger.group('Restoring', () => recipe.restore(transport, options, parts, manifest, { logger, swaps, prepared }))))
    const databaseSwaps = swaps.databases.length > 0 ? ` and ${swaps.databases.length} database swaps by RENAME TABLE` : ''
    logger.info(`Restored in ${formatSeconds(Date.now() - began)}: ${swaps.swaps.length} swaps by rename${databaseSwaps}, each keeping what it replaced`)
    stages.end('imports, extraction and swaps')
  } catch (error) {
    throw await rolledBack(error, swaps, { databases, recipe, options, signer }, logger)
  }
  const safetyCopy: SafetyCopy | undefined = request.safetyCopy ? { files: swaps.places(), databases, keptDatabases: swaps.keptDatabases(), stamp: swaps.stamp } : undefined
  if (!request.safetyCopy) await swaps.discard()
  else if (safetyCopy && safetyCopy.files.length > 0) logger.info(`What the restore replaced is kept, by rename, in: ${safetyCopy.files.join(', ')}`)
  if (safetyCopy && safetyCopy.keptDatabases.length > 0) logger.info(`The tables the restore replaced are kept, by RENAME TABLE, in the databases: ${safetyCopy.keptDatabases.join(', ')}`)
  try {
    if (request.startCommand) {
      await runUserCommand(transport, request.startCommand, 'start-command')
      stages.end('start')
    }
    if (recipe.afterStart) {
      report.push(...(await logger.group('After the start', () => recipe.afterStart!(transport, options, parts, manifest, { logger }))))
      stages.end('after the start')
    }
  } catch (error) {
    // The data is in place; only starting the app on it failed. Nothing is put back under a running app.
    throw withRecoveryHint(error, 'The restore put the data in place, but starting the application failed', safetyCopy, { recipe, options, signer })
  }
  return { backupId: manifest.backupId, manifest, dryRun: false, plan, report, safetyCopy }
}

/** A restore's own stamp, in the names of the directories that keep what it replaced. */
function restoreStamp(at: Date): string {
  return `${compactTimestamp(at)}-${randomBytes(3).toString('hex')}`
}

/**
 * Where the safety copy goes: `safety-copy-dir` as given (refused later if unsafe), or beside the data,
 * or, when the application's user could plant links there and the restore runs as root, under ROOT_PLACE.
 */
async function safetyCopyParent(request: RestoreRequest, dataRoot: string): Promise<string> {
  if (request.safetyCopyDir) return request.safetyCopyDir
  const beside: HostPlace = { path: posix.join(posix.dirname(dataRoot), 'selfhost-backup-safety'), name: 'the safety copy directory', kind: 'directory', fix: SAFETY_COPY_FIX }
  const chosen = await chooseSafePlace(request.transport, beside, posix.join(ROOT_PLACE, 'safety', dataRootTag(dataRoot)))
  if (chosen.movedBecause) request.logger.info(`The safety copy goes to ${chosen.path}: ${chosen.movedBecause}`)
  return chosen.path
}

/**
 * A backup made before block hashes is checked a stored chunk at a time on the runner (a part stored
 * unchunked, whole): say how much room that takes. Parts with block hashes take none.
 */
function runnerFullWhileFetching(workRoot: string, parts: PartRecord[], cause: unknown): RunnerSpaceError {
  const held = parts.filter(part => part.blockSize === undefined)
  const largest = held.reduce((most, part) => Math.max(most, ...(part.chunks ?? [part]).map(piece => piece.bytes)), 0)
  return new RunnerSpaceError(
    `The runner's temp directory ${workRoot} ran out of space while the backup was downloaded and verified: this backup was made before block checksums, so a restore holds one stored chunk at a time on the runner (two when there is room: the next is fetched ahead; a part stored without chunks, whole), which here takes up to ${formatBytes(largest)}.`,
    `free at least ${formatBytes(largest)} in RUNNER_TEMP (a larger runner or disk), or restore with the command-line tool on a machine with that much room; then run the restore again.`,
    { cause }
  )
}

/** Every failure while fetching happens before anything live on the host changes; the message says so, once. */
function saysHostUnchanged(error: unknown): unknown {
  if (error instanceof SelfhostBackupError && !/nothing on the host was changed/i.test(error.message)) {
    error.message = `${error.message} Nothing on the host was changed.`
  }
  return error
}

async function runUserCommand(host: Transport, commandText: string, input: string): Promise<void> {
  // The user's own shell command, run as they wrote it: it is configuration, not data.
  await host.run(commandText, { description: `${input} (${commandText.split('\n')[0]})` })
}
