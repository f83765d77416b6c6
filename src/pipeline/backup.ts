import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { detectRecipe, type RecipeChoice } from '../recipes/registry.js'
import type { AnyRecipe } from '../recipes/recipe.js'
import type { SaveResult, Store, StoreSession } from '../store/store.js'
import type { Transport } from '../transport/transport.js'
import { DrillSession, drillReport } from './drill.js'
import { recipientFingerprint } from '../kernel/encryption.js'
import { acquireHostLock } from './lock.js'
import { planIncremental, type IncrementalPlan, type IncrementalSettings } from './incremental.js'
import { InputError, PreflightError, SelfhostBackupError } from '../kernel/errors.js'
import { formatBytes, type Logger } from '../kernel/log.js'
import { assembleManifest, manifestFileName, newBackupId, storedFilesOf, UNVERIFIED_SUFFIX, type Manifest } from '../kernel/manifest.js'
import { writeManifest } from '../kernel/manifest-file.js'
import type { ManifestKeys } from '../kernel/manifest-keys.js'
import { StagingDirectory } from './staging.js'
import { StageClock } from './stage-clock.js'
import { describeAppVersion } from '../kernel/app-version.js'
import { readRunningVersion } from './app-version-check.js'
import { DEFAULT_CHUNK_SIZE } from './chunk-writer.js'

import { compareWithPrevious, type VerificationSettings } from './verification.js'

export interface BackupRequest {
  /** The app's recipe with its options, or with `app: auto` every candidate (detection picks one). */
  recipes: RecipeChoice[]
  transport: Transport
  store: Store
  /** Parent of the staging directory (RUNNER_TEMP in Actions). */
  workRoot: string
  logger: Logger
  /** age recipients; empty: plaintext parts. */
  recipients?: string[]
  verification?: VerificationSettings
  lockTimeoutSeconds?: number
  /** incremental: true makes data-directory tarballs build on the previous backup of the chain. */
  incremental?: IncrementalSettings
  /** Without recipients, store the app's secret files in artifacts anyway (the user's explicit choice). */
  allowUnencryptedSecrets?: boolean
  /** Signs the manifest; earlier manifests (size check, incremental parent) count only when signed by a trusted key. */
  keys: ManifestKeys
  /** Stored content is cut into chunks of at most this many bytes as it streams (chunk-size); default DEFAULT_CHUNK_SIZE. */
  chunkSize?: number
  /** strict: a backup of an install with parts it would not hold (recipe.notCovered) fails before any work. */
  coverage?: 'report' | 'strict'
  /** Clock, so tests can pin backup ids. */
  now?: () => Date
}

export interface BackupResult {
  manifest: Manifest
  manifestPath: string
  saved: SaveResult
  bytes: number
  verified: boolean
}

const DEFAULT_VERIFICATION: VerificationSettings = { mode: 'backup', verify: 'checksum', shrinkThreshold: 50, failOnShrink: false }

/** A failed drill or size check: the backup was stored for inspection, but not as a complete backup. */
export class UnverifiedBackupError extends SelfhostBackupError {
  constructor(
    readonly result: BackupResult,
    reasons: string[]
  ) {
    super(
      `Backup ${result.manifest.backupId} failed verification and is not a restorable backup:\n${reasons.map(reason => `  - ${reason}`).join('\n')}`,
      'look at the parts named above on the host; a restore without backup-id keeps picking the previous good backup.'
    )
  }
}

/**
 * inputs → recipe.backup → parts hashed (and encrypted) as they stream → restore drill → size check →
 * manifest written last → store. Until a verified manifest is stored, a listing shows no new backup.
 */
export async function runBackup(request: BackupRequest): Promise<BackupResult> {
  const { transport, logger } = request
  const now = request.now ?? (() => new Date())
  const verification = request.verification ?? DEFAULT_VERIFICATION
  const { signer, trust } = request.keys
  if (!signer) throw new Error('a backup needs a signing key (parseSigningInputs requires one)')
  const stages = new StageClock()
  // A bucket that is missing, refuses the credentials or lacks the Object Lock asked for fails before any work.
  await request.store.preflight?.()
  await transport.open()
  stages.end('connect')
  const staging = await mkdtemp(join(request.workRoot, 'selfhost-backup-staging-'))
  const recipients = request.recipients ?? []
  // The drill reads each part as it streams past (a tee), so no copy of the data waits for it on the runner.
  const drillSession = verification.verify === 'drill' ? new DrillSession({ logger, workRoot: request.workRoot }) : undefined
  // When every candidate app makes dumps, the drill's server starts while this run connects and checks the host.
  if (drillSession && request.recipes.every(candidate => candidate.recipe.makesDatabaseDumps)) drillSession.warmUp()
  let session: StoreSession | undefined
  let sink: StagingDirectory | undefined
  let committed = false
  let keptManifest: string | undefined
  try {
    const { recipe, options: parsed } = await chooseRecipe(request)
    const context = { logger }
    const options = await logger.group(`Checking ${transport.label} for ${recipe.title}`, () => recipe.preflight(transport, parsed, 'backup', context))
    const application = await readRunningVersion(transport, { recipe, options }, logger)
    logger.info(`${recipe.title} version: ${describeAppVersion(application)}`)
    const notCovered = checkCoverage(recipe, options, request.coverage ?? 'report', logger)
    stages.end('preflight')
    const startedAt = now()
    const backupId = newBackupId(recipe.id, transport.hostId, startedAt)
    logger.info(`Backup ${backupId} of ${recipe.title} on ${transport.label}`)
    if (recipients.length === 0 && request.store.traits.readableByOthers) {
      logger.warning('This backup is not encrypted: anyone with read access to the repository can download its artifacts. Set encrypt-to (an age recipient) to encrypt it.')
      await refusePlainSecrets(recipe, options, request)
    }
    const lock = await acquireHostLock(transport, recipe.dataRoot(options), request.lockTimeoutSeconds ?? 600, logger)
    let incremental: Manifest['incremental']
    try {
      let plan: IncrementalPlan | undefined
      if (request.incremental?.enabled) {
        const target = { app: recipe.id, hostId: transport.hostId, backupId, dataRoot: recipe.dataRoot(options), options: recipe.describeOptions(options), startedAt }
        plan = await planIncremental(transport, request.store, target, request.incremental, { workRoot: request.workRoot, trust }, logger)
        incremental = { level: plan.level, chain: plan.chain, baseStartedAt: plan.baseStartedAt, fullEveryDays: plan.fullEveryDays }
      }
      // Each finished part goes to the store while the next one streams from the host.
      const storing = request.store.begin({ backupId, dir: staging, incremental })
      session = storing
      // A store on the runner's filesystems takes the parts where they are written: no copy in RUNNER_TEMP.
      const storeDir = await storing.writeDirectory?.()
      const created = new StagingDirectory(staging, backupId, logger, {
        recipients,
        drill: drillSession,
        chunkSize: request.chunkSize ?? DEFAULT_CHUNK_SIZE,
        handOver: file => storing.addPart(file),
        storeDir
      })
      sink = created
      stages.end('lock and plan')
      await logger.group('Backing up', () => recipe.backup(transport, options, created, { ...context, incremental: plan }))
      stages.end('parts')
      // A lock lost half-way means another job could have changed the data while it was read.
      await lock.assertHeld('backup')
    } finally {
      await lock.release()
    }
    await transport.close()
    stages.end('unlock and disconnect')
    if (!sink || !session) throw new Error('the backup produced no parts')
    const staged = sink
    const openSession = session

    const drill = drillSession ? drillReport(await logger.group('Restore drill', () => staged.drillResults())) : undefined
    await drillSession?.close()
    if (drill) stages.end('drill')
    const sizeCheck = await compareWithPrevious(request.store, { app: recipe.id, hostId: transport.hostId, parts: staged.parts }, verification, { workRoot: request.workRoot, trust }, logger)
    const failures = [
      ...(drill?.parts.filter(part => !part.ok).map(part => `drill of ${part.name}: ${part.detail}`) ?? []),
      ...(verification.failOnShrink ? sizeCheck.shrunk.map(line => `size check: ${line}`) : [])
    ]
    const unsigned = assembleManifest({
      backupId,
      app: recipe.id,
      host: transport.label,
      hostId: transport.hostId,
      startedAt: startedAt.toISOString(),
      finishedAt: now().toISOString(),
      options: recipe.describeOptions(options),
      parts: staged.parts,
      verification: { method: verification.verify, ok: failures.length === 0, parts: drill?.parts.map(({ name, ok, detail }) => ({ name, ok, detail })), sizeCheck },
      ...(recipients.length > 0 ? { encryption: { format: 'age' as const, recipients: recipients.map(recipientFingerprint) } } : {}),
      ...(incremental ? { incremental } : {}),
      application,
      ...(notCovered.length > 0 ? { notCovered } : {})
    })
    const manifestFile = failures.length === 0 ? manifestFileName(backupId) : `${backupId}${UNVERIFIED_SUFFIX}`
    const manifest = await writeManifest(join(staging, manifestFile), unsigned, signer)
    stages.end('size check and manifest')
    const saved = await logger.group(`Storing in the ${request.store.kind} store`, () => openSession.commit(manifestFile, manifest.parts.flatMap(storedFilesOf)))
    stages.end('store')
    // Where the time went, so a fixed cost cannot hide (each part's own time is logged with it; uploads overlap the parts).
    logger.info(`Stages: ${stages.summary()}`)
    committed = true
    keptManifest = saved.manifestPath
    const bytes = staged.parts.reduce((sum, part) => sum + part.bytes, 0)
    const result = { manifest, manifestPath: saved.manifestPath, saved, bytes, verified: failures.length === 0 && verification.verify === 'drill' }
    if (failures.length > 0) throw new UnverifiedBackupError(result, failures)
    logger.info(`Backup ${backupId} complete${drill ? ' and drill-verified' : ''}: ${staged.parts.length} parts, ${formatBytes(bytes)}, stored in ${saved.where}`)
    return result
  } catch (error) {
    // Parts stored before the failure are removed: without a manifest nothing lists them, but they take space.
    if (session && !committed) await session.abandon()
    throw error
  } finally {
    // The staged parts go; the manifest stays where the store says it can be read (the `manifest` output).
    await removeStagingExcept(staging, keptManifest)
    await drillSession?.close()
    await transport.close().catch(error => logger.warning(`Closing the connection: ${(error as Error).message}`))
  }
}

/** What the install keeps that this backup will not hold: said as a warning, or with coverage: strict refused before any work. */
function checkCoverage(recipe: AnyRecipe, options: unknown, coverage: 'report' | 'strict', logger: Logger): string[] {
  const notCovered = recipe.notCovered?.(options) ?? []
  if (notCovered.length === 0) return notCovered
  if (coverage === 'strict') {
    throw new PreflightError(
      notCovered.map(line => `not covered: ${line}`),
      'back these up another way and list what they are, or set coverage: report to back up the rest and name them in the summary; nothing was backed up.'
    )
  }
  logger.warning(['This backup will not hold everything the install keeps:', ...notCovered.map(line => `  - ${line}`), 'coverage: strict makes this an error.'].join('\n'))
  return notCovered
}

async function chooseRecipe(request: BackupRequest): Promise<RecipeChoice> {
  const chosen = await detectRecipe(request.transport, request.recipes)
  if (request.recipes.length > 1) request.logger.info(`app: auto found ${chosen.recipe.title} (${chosen.evidence})`)
  return chosen
}

/** Removes the staging directory, or everything in it but `keep` when the store left its manifest there. */
async function removeStagingExcept(staging: string, keep: string | undefined): Promise<void> {
  if (!keep || dirname(keep) !== staging) {
    await rm(staging, { recursive: true, force: true })
    return
  }
  for (const entry of await readdir(staging).catch(() => [] as string[])) {
    if (entry !== basename(keep)) await rm(join(staging, entry), { recursive: true, force: true })
  }
}

/** Files holding the app's own secrets go into plain artifacts only when the user said so. */
async function refusePlainSecrets(recipe: AnyRecipe, options: unknown, request: BackupRequest): Promise<void> {
  const secrets = (await recipe.secretFiles?.(request.transport, options)) ?? []
  if (secrets.length === 0) return
  if (request.allowUnencryptedSecrets) {
    request.logger.warning(`allow-unencrypted-secrets is on: ${secrets.join('; ')} will be readable by anyone with read access to the repository.`)
    return
  }
  throw new InputError(
    'encrypt-to',
    `is empty, and this backup would store ${secrets.join('; ')} as a plain artifact that anyone with read access to the repository can download. Nothing was backed up.`,
    'set encrypt-to to an age recipient (README: "Encrypting backups"), or set allow-unencrypted-secrets: true to store them unencrypted on purpose.'
  )
}
