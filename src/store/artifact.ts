import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { StoreError } from '../kernel/errors.js'
import { artifactExpiry, chainRetentionDays } from './artifact-retention.js'
import type { Logger } from '../kernel/log.js'
import { MANIFEST_SUFFIX, parseBackupId } from '../kernel/manifest.js'
import { retryArtifactName, storedFileName, type ArtifactStoreSettings, type ListedArtifact } from './artifact-listing.js'
import { ArtifactServiceClient } from './artifact-service.js'
import { downloadTo, openDownload } from './http-exchange.js'
import { uploadArtifactFile } from './artifact-upload.js'
import { DEFAULT_RETRY, withRetry, type RetryPolicies } from './github-http.js'
import { artifactRunVerdict, RunProvenance, type RepositoryArtifact } from './run-provenance.js'
import { ArtifactRestApi } from './artifact-rest.js'
import {
  matchesFilter,
  saveAll,
  trustedNewestFirst,
  type BackupFilter,
  type BackupToStore,
  type DeleteOutcome,
  type StoreUsage,
  type SaveRequest,
  type SaveResult,
  type Store,
  type StoredBackup,
  type StoreSession
} from './store.js'
import { uploadSession } from './upload-session.js'

export { retryArtifactName, storedFileName, type ArtifactStoreSettings } from './artifact-listing.js'

/** By time (the Twirp and REST listings write it with and without milliseconds), then by id, which only grows. */
const newestArtifactFirst = (a: ListedArtifact, b: ListedArtifact): number => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id

/**
 * GitHub Actions artifacts: each part is its own single-file artifact (not re-zipped: the tarball keeps
 * modes that a zip would drop), named after the backup id, with the manifest uploaded last.
 */
export class GithubArtifactStore implements Store {
  readonly kind = 'github' as const
  readonly traits = {
    readableByOthers: true,
    notFoundHint: ' (set run-id when the backup was made by another run)',
    chainLinkHint: ", and leave run-id empty so the repository's artifacts are searched"
  }
  /** This job's side of the artifact service, made on first use: only a workflow run has one. */
  private serviceClient?: ArtifactServiceClient
  private readonly runListings = new Map<number, ListedArtifact[]>()
  private readonly provenance: RunProvenance
  private readonly retry: RetryPolicies
  private readonly warned = new Set<string>()
  private readonly rest: ArtifactRestApi

  constructor(
    private readonly settings: ArtifactStoreSettings,
    private readonly logger: Logger
  ) {
    this.provenance = new RunProvenance(settings, logger)
    this.retry = settings.retry ?? DEFAULT_RETRY
    this.rest = new ArtifactRestApi(settings, logger, this.retry.request)
  }

  /**
   * The artifact service of this job (ACTIONS_RESULTS_URL, ACTIONS_RUNTIME_TOKEN), called directly rather
   * than through the `@actions/artifact` client, whose upload holds about 56 MB of buffers and whose code
   * and Azure SDK take about 36 MB more once loaded (artifact-service.ts, artifact-upload.ts).
   */
  private service(): ArtifactServiceClient {
    const resultsUrl = process.env.ACTIONS_RESULTS_URL
    const runtimeToken = process.env.ACTIONS_RUNTIME_TOKEN
    if (!resultsUrl || !runtimeToken) {
      throw new StoreError(
        'The artifact service is only reachable from a workflow run: ACTIONS_RESULTS_URL or ACTIONS_RUNTIME_TOKEN is not set.',
        'run this as a step of a GitHub Actions job, or use store: local or s3.'
      )
    }
    this.serviceClient ??= new ArtifactServiceClient({ resultsUrl, runtimeToken }, this.logger, this.retry.request)
    return this.serviceClient
  }

  save(request: SaveRequest): Promise<SaveResult> {
    return saveAll(this, request)
  }

  /** Parts upload one after another while the backup goes on, the manifest last (see uploadSession). */
  begin(backup: BackupToStore): StoreSession {
    const retentionDays = backup.incremental ? chainRetentionDays(backup.incremental, this.settings.retentionDays, new Date()) : this.settings.retentionDays
    if (backup.incremental) this.logger.info(`Artifacts of this backup are kept ${retentionDays} days, so the chain expires together (full backup of ${backup.incremental.baseStartedAt}).`)
    let firstUpload: Date | undefined
    const session = uploadSession(
      {
        dir: backup.dir,
        upload: file => {
          firstUpload ??= new Date()
          return this.upload(backup.dir, file, retentionDays)
        },
        failed: (file, error) =>
          new StoreError(
            `Uploading ${file} as an artifact failed: ${(error as Error).message}`,
            'the backup was not stored (no manifest was uploaded); re-run the job. If it keeps failing, check the Actions service status and the artifact storage quota.',
            { cause: error }
          ),
        noun: 'artifacts',
        where: `artifacts of workflow run ${this.settings.currentRunId ?? '(current)'}`,
        removeStored: async items => {
          for (const item of items) {
            await Promise.resolve()
              .then(() => this.service().delete(item.name))
              .catch((error: unknown) => this.logger.warning(`Could not delete the artifact ${item.name} of the failed backup: ${(error as Error).message}`))
          }
        },
        settled: () => this.runListings.clear()
      },
      this.logger
    )
    return {
      ...session,
      commit: async (manifestFile, partFiles) => {
        const saved = await session.commit(manifestFile, partFiles)
        return { ...saved, expiresAt: await this.expiryOf(saved.items, retentionDays, firstUpload) }
      }
    }
  }

  /**
   * When the backup's first artifact expires (the backup is gone with it). With a retention the client
   * asked for it, so it is computed as the client did, from before the first upload (at most seconds early);
   * otherwise the service applied the repository's setting: read back, else computed from GITHUB_RETENTION_DAYS.
   */
  private async expiryOf(items: SaveResult['items'], retentionDays: number | undefined, firstUpload: Date | undefined): Promise<string | undefined> {
    if (!firstUpload) return undefined
    const { currentRunId, repositoryRetentionDays } = this.settings
    if (retentionDays !== undefined) return artifactExpiry(firstUpload, retentionDays, repositoryRetentionDays)
    if (currentRunId) {
      try {
        const listed = await this.rest.earliestExpiry(
          currentRunId,
          items.map(item => item.id)
        )
        if (listed) return listed
      } catch (error) {
        this.logger.debug(`Reading when the artifacts expire: ${(error as Error).message}`)
      }
    }
    if (repositoryRetentionDays !== undefined) return artifactExpiry(firstUpload, repositoryRetentionDays)
    this.logger.info('When the artifacts of this backup expire is unknown: no retention-days, no GITHUB_RETENTION_DAYS, and github-token could not list them.')
    return undefined
  }

  /**
   * Uploads one file with bounded memory (artifact-upload.ts, not the client's upload); a retry goes up
   * under a fresh name (see RETRY_NAME).
   */
  private async upload(dir: string, file: string, retentionDays: number | undefined): Promise<SaveResult['items'][number]> {
    const service = this.service()
    return withRetry(this.logger, `Uploading ${file}`, this.retry.operation, async attempt => {
      const name = attempt === 1 ? file : retryArtifactName(file, attempt - 1)
      if (name !== file) this.logger.info(`Uploading ${file} as the artifact ${name}: the failed upload may have taken the name ${attempt === 2 ? file : retryArtifactName(file, attempt - 2)}.`)
      const expiresAt = retentionDays === undefined ? undefined : artifactExpiry(new Date(), retentionDays, this.settings.repositoryRetentionDays)
      const { id } = await uploadArtifactFile(service, { path: join(dir, file), name, expiresAt }, this.logger)
      return { name, id, ...this.webAddress(id) }
    })
  }

  /** Where a signed-in user downloads the artifact `id` of this run (as upload-artifact's artifact-url output). */
  private webAddress(id: string): { url?: string } {
    const { serverUrl, repository, currentRunId } = this.settings
    if (!serverUrl || !repository || !currentRunId || !/^\d+$/.test(id)) return {}
    return { url: `${serverUrl.replace(/\/+$/, '')}/${repository}/actions/runs/${currentRunId}/artifacts/${id}` }
  }

  async list(filter?: BackupFilter): Promise<StoredBackup[]> {
    const chosenRun = filter?.everywhere ? undefined : this.settings.runId
    if (chosenRun) await this.provenance.refuseUntrusted(chosenRun)
    const artifacts = chosenRun ? await this.listRun(chosenRun) : await this.listCurrentAndRepository()
    const backups = new Map<string, StoredBackup>()
    // Newest first, so a manifest stored twice (a retried upload whose first attempt was finalized after all) counts by its newest copy.
    for (const artifact of [...artifacts].sort(newestArtifactFirst)) {
      const file = storedFileName(artifact.name)
      if (!file.endsWith(MANIFEST_SUFFIX)) continue
      const backupId = file.slice(0, -MANIFEST_SUFFIX.length)
      const parsed = parseBackupId(backupId)
      if (!parsed || backups.has(backupId)) continue
      const backup = { backupId, app: parsed.app, hostId: parsed.hostId, createdAt: artifact.createdAt, location: { runId: artifact.runId, manifestArtifactId: artifact.id } }
      if (matchesFilter(backup, filter)) backups.set(backupId, backup)
    }
    return trustedNewestFirst([...backups.values()], this.logger, this.warned)
  }

  /**
   * Downloads the artifact holding `fileName` into `destDir` under that name (never one the download
   * suggests), as it comes and never unpacked: this job's own run through the artifact service, any other run
   * through the REST API. Each attempt asks for a fresh address (they expire within minutes).
   */
  async fetch(backup: StoredBackup, fileName: string, destDir: string): Promise<string> {
    const path = join(destDir, fileName)
    await this.download(backup, fileName, address => downloadTo(address, path))
    return path
  }

  async read(backup: StoredBackup, fileName: string, offset: number): Promise<Readable> {
    return this.download(backup, fileName, address => openDownload(address, offset))
  }

  /**
   * Finds the artifact holding `fileName` and hands a fresh download address to `start`, retried as one
   * operation: each attempt asks for a new address (they expire within minutes).
   */
  private async download<T>(backup: StoredBackup, fileName: string, start: (address: URL) => Promise<T>): Promise<T> {
    const runId = Number(backup.location.runId)
    const [artifact] = (await this.listRun(runId)).filter(candidate => storedFileName(candidate.name) === fileName).sort(newestArtifactFirst)
    if (!artifact) {
      throw new StoreError(`The artifact ${fileName} is missing from workflow run ${runId}.`, 'the backup is incomplete or its artifacts expired; pick another backup-id.')
    }
    // Another run's listing above already required the token the REST download needs.
    const ownRun = this.isOwnRun(runId)
    try {
      return await withRetry(this.logger, `Downloading ${artifact.name}`, this.retry.operation, async () =>
        start(new URL(ownRun ? await this.service().downloadUrl(artifact.name) : await this.rest.downloadAddress(artifact.id)))
      )
    } catch (error) {
      if ((error as NodeJS.ErrnoException).path !== undefined) throw error
      throw new StoreError(`Downloading ${artifact.name} failed: ${(error as Error).message}`, 'check that github-token has `actions: read` and the artifact has not expired.', { cause: error })
    }
  }

  /**
   * Every artifact of the backup in its run, the manifest first: this job's own through the artifact
   * service, another run's through the REST API (the token needs `actions: write`).
   */
  async delete(backup: StoredBackup): Promise<DeleteOutcome> {
    const runId = Number(backup.location.runId)
    const manifestFile = `${backup.backupId}${MANIFEST_SUFFIX}`
    const artifacts = (await this.listRun(runId))
      .filter(artifact => storedFileName(artifact.name).startsWith(`${backup.backupId}.`))
      .sort((a, b) => Number(storedFileName(b.name) === manifestFile) - Number(storedFileName(a.name) === manifestFile))
    if (this.isOwnRun(runId)) {
      try {
        for (const artifact of artifacts) await this.service().delete(artifact.name)
        return { deleted: true }
      } catch (error) {
        return { deleted: false, refused: `deleting its artifacts failed: ${(error as Error).message}` }
      } finally {
        this.runListings.clear()
      }
    }
    try {
      return await this.rest.deleteAll(artifacts)
    } finally {
      this.runListings.clear()
    }
  }

  /** What the repository's artifacts take against the Actions storage quota (see ArtifactRestApi.usage). */
  usage(): Promise<StoreUsage | undefined> {
    return this.rest.usage()
  }

  /** This job's own run: read and changed through the artifact service with the runtime token. */
  private isOwnRun(runId: number): boolean {
    return runId === this.settings.currentRunId && Boolean(process.env.ACTIONS_RUNTIME_TOKEN)
  }

  /** Another run's artifacts are read through the REST API, which needs a token. */
  private tokenFor(runId: number): string {
    if (!this.settings.token) {
      throw new StoreError(`Reading artifacts of workflow run ${runId} needs a token.`, 'set `github-token` (the default `${{ github.token }}` works when the job has `permissions: actions: read`).')
    }
    return this.settings.token
  }

  /**
   * One run's artifacts: this job's own run through the artifact service, any other run through the REST
   * API, every page of it (the artifact client stops at 1,000 artifacts, and a large backup is more chunks).
   */
  private async listRun(runId: number): Promise<ListedArtifact[]> {
    const cached = this.runListings.get(runId)
    if (cached) return cached
    let listed: ListedArtifact[]
    if (!this.isOwnRun(runId)) {
      this.tokenFor(runId)
      const artifacts = await this.rest.listAll(`actions/runs/${runId}/artifacts`, `the artifacts of workflow run ${runId}`, 'check `run-id` and that `github-token` has `actions: read`.')
      listed = artifacts.filter(artifact => !artifact.expired).map(artifact => ({ id: artifact.id, name: artifact.name, runId, createdAt: artifact.created_at }))
    } else {
      try {
        listed = (await withRetry(this.logger, `Listing the artifacts of run ${runId}`, this.retry.operation, () => this.service().list())).map(artifact => ({ ...artifact, runId }))
      } catch (error) {
        if (error instanceof StoreError) throw error
        throw new StoreError(`Listing the artifacts of workflow run ${runId} failed: ${(error as Error).message}`, 'check that the job still runs and retry.', { cause: error })
      }
    }
    this.runListings.set(runId, listed)
    return listed
  }

  // The current run needs no check: its artifacts come from this very job's workflow.
  private async listCurrentAndRepository(): Promise<ListedArtifact[]> {
    const found: ListedArtifact[] = []
    if (this.settings.currentRunId && this.isOwnRun(this.settings.currentRunId)) found.push(...(await this.listRun(this.settings.currentRunId)))
    if (this.settings.token) found.push(...(await this.provenance.trustedOnly(await this.listRepository())))
    return found
  }

  /** The repository's artifacts across all runs, newest first (REST; the artifact client has no such call). */
  private async listRepository(): Promise<RepositoryArtifact[]> {
    const artifacts = await this.rest.listAll('actions/artifacts', "the repository's artifacts", 'check that `github-token` has `actions: read` on this repository.')
    const found: RepositoryArtifact[] = []
    for (const artifact of artifacts) {
      const run = artifact.workflow_run
      if (artifact.expired || !run?.id) continue
      found.push({ id: artifact.id, name: artifact.name, runId: run.id, createdAt: artifact.created_at, distrust: artifactRunVerdict(run) })
    }
    this.logger.debug(`repository listing: ${found.length} artifacts`)
    return found
  }
}
