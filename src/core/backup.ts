import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { detectRecipe, recipeById } from '../recipes/registry.js'
import type { AnyRecipe, RawInputs } from '../recipes/recipe.js'
import type { SaveResult, Store } from '../store/store.js'
import type { Transport } from '../transport/transport.js'
import type { Logger } from './log.js'
import { formatBytes } from './log.js'
import { MANIFEST_FORMAT, manifestFileName, newBackupId, writeManifest, type Manifest } from './manifest.js'
import { recipientFingerprint } from './encryption.js'
import { StagingDirectory } from './staging.js'
import { TOOL_NAME, TOOL_VERSION } from './version.js'

export interface BackupRequest {
  /** 'auto' or a recipe id. */
  app: string
  inputs: RawInputs
  transport: Transport
  store: Store
  /** Parent of the staging directory (RUNNER_TEMP in Actions). */
  workRoot: string
  logger: Logger
  /** age recipients; empty: plaintext parts. */
  recipients?: string[]
  /** Clock, so tests can pin backup ids. */
  now?: () => Date
}

export interface BackupResult {
  manifest: Manifest
  manifestPath: string
  saved: SaveResult
  bytes: number
}

/**
 * inputs → recipe.backup → parts hashed as they stream → manifest written last → store. Any failure
 * before the manifest is stored leaves nothing that a listing would show as a backup.
 */
export async function runBackup(request: BackupRequest): Promise<BackupResult> {
  const { transport, logger } = request
  const now = request.now ?? (() => new Date())
  // An explicit app's options are checked before the first connection.
  const explicit = request.app === 'auto' ? undefined : recipeById(request.app)
  const explicitOptions = explicit?.parseOptions(request.inputs)
  await transport.open()
  const staging = await mkdtemp(join(request.workRoot, 'selfhost-backup-staging-'))
  try {
    const { recipe, options: parsed } = await chooseRecipe(explicit, explicitOptions, request)
    const context = { logger }
    const options = await logger.group(`Checking ${transport.label} for ${recipe.title}`, () => recipe.preflight(transport, parsed, 'backup', context))
    const startedAt = now()
    const backupId = newBackupId(recipe.id, transport.hostId, startedAt)
    logger.info(`Backup ${backupId} of ${recipe.title} on ${transport.label}`)
    const recipients = request.recipients ?? []
    if (recipients.length === 0 && request.store.kind === 'github') {
      logger.warning('This backup is not encrypted: anyone with read access to the repository can download its artifacts. Set encrypt-to (an age recipient) to encrypt it.')
    }
    const sink = new StagingDirectory(staging, backupId, logger, recipients)
    await logger.group('Backing up', () => recipe.backup(transport, options, sink, context))
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      backupId,
      app: recipe.id,
      host: transport.label,
      hostId: transport.hostId,
      startedAt: startedAt.toISOString(),
      finishedAt: now().toISOString(),
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      options: recipe.describeOptions(options),
      parts: sink.parts,
      ...(recipients.length > 0 ? { encryption: { format: 'age' as const, recipients: recipients.map(recipientFingerprint) } } : {})
    }
    const manifestFile = manifestFileName(backupId)
    await writeManifest(join(staging, manifestFile), manifest)
    const saved = await logger.group(`Storing in the ${request.store.kind} store`, () =>
      request.store.save({ backupId, dir: staging, partFiles: sink.parts.map(part => part.file), manifestFile })
    )
    const bytes = sink.parts.reduce((sum, part) => sum + part.bytes, 0)
    logger.info(`Backup ${backupId} complete: ${sink.parts.length} parts, ${formatBytes(bytes)}, stored in ${saved.where}`)
    const manifestPath = request.store.kind === 'local' ? join(saved.where, manifestFile) : join(staging, manifestFile)
    return { manifest, manifestPath, saved, bytes }
  } finally {
    // The github store uploads from staging; the local store moved the files out already.
    if (request.store.kind !== 'github') await rm(staging, { recursive: true, force: true })
    else await removeExceptManifest(staging)
    await transport.close().catch(error => logger.warning(`Closing the connection: ${(error as Error).message}`))
  }
}

async function chooseRecipe(
  explicit: AnyRecipe | undefined,
  explicitOptions: unknown,
  request: BackupRequest
): Promise<{ recipe: AnyRecipe; options: unknown }> {
  if (explicit) return { recipe: explicit, options: explicitOptions }
  const { recipe, evidence } = await detectRecipe(request.transport, request.inputs)
  request.logger.info(`app: auto found ${recipe.title} (${evidence})`)
  return { recipe, options: recipe.parseOptions(request.inputs) }
}

/** The manifest stays on the runner (the `manifest` output points at it); the staged parts go. */
async function removeExceptManifest(dir: string): Promise<void> {
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    if (!entry.endsWith('.manifest.json')) await rm(join(dir, entry), { recursive: true, force: true })
  }
}
