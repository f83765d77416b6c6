import { DefaultArtifactClient, type Artifact } from '@actions/artifact'
import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { StoreError } from '../core/errors.js'
import type { Logger } from '../core/log.js'
import { MANIFEST_SUFFIX, parseBackupId } from '../core/manifest.js'
import { matchesFilter, newestFirst, type BackupFilter, type SaveRequest, type SaveResult, type Store, type StoredBackup } from './store.js'

export interface ArtifactStoreSettings {
  retentionDays?: number
  /** Read backups from this workflow run instead of the current one and the repository's history. */
  runId?: number
  /** Token with `actions: read`, for other runs and the repository-wide listing. */
  token?: string
  /** "owner/name" */
  repository: string
  apiUrl: string
  currentRunId?: number
}

interface ListedArtifact {
  id: number
  name: string
  runId: number
  createdAt: string
}

const REPOSITORY_PAGES = 10
const RETRY_ATTEMPTS = 3
const RETRY_BASE_MS = 2000

/**
 * Dropped connections, and server errors from the REST download (the Twirp calls retry 5xx themselves,
 * so retrying those again would only multiply the wait); a 4xx (bad token, missing artifact, duplicate
 * name) is final.
 */
function isTransient(error: unknown): boolean {
  const status = (error as { status?: number }).status
  if (typeof status === 'number') return status >= 500 || status === 429
  const message = error instanceof Error ? error.message : String(error)
  return /ECONNRESET|ETIMEDOUT|ECONNREFUSED|EHOSTUNREACH|EPIPE|other side closed|socket hang up|fetch failed|Unable to make request/i.test(message)
}

/**
 * GitHub Actions artifacts: each part is its own single-file artifact (not re-zipped: the tarball keeps
 * modes that a zip would drop), named after the backup id, with the manifest uploaded last.
 */
export class GithubArtifactStore implements Store {
  readonly kind = 'github' as const
  private readonly client = new DefaultArtifactClient()
  private readonly runListings = new Map<number, ListedArtifact[]>()

  constructor(
    private readonly settings: ArtifactStoreSettings,
    private readonly logger: Logger
  ) {}

  async save(request: SaveRequest): Promise<SaveResult> {
    const items: SaveResult['items'] = []
    for (const file of [...request.partFiles, request.manifestFile]) {
      try {
        const response = await this.withRetry(`Uploading ${file}`, () =>
          this.client.uploadArtifact(file, [join(request.dir, file)], request.dir, { retentionDays: this.settings.retentionDays, skipArchive: true })
        )
        items.push({ name: file, id: String(response.id ?? '') })
      } catch (error) {
        throw new StoreError(`Uploading ${file} as an artifact failed: ${(error as Error).message}`, 'the backup was not stored (no manifest was uploaded); re-run the job. If it keeps failing, check the Actions service status and the artifact storage quota.', { cause: error })
      }
    }
    this.runListings.clear()
    return { items, where: `artifacts of workflow run ${this.settings.currentRunId ?? '(current)'}` }
  }

  async list(filter?: BackupFilter): Promise<StoredBackup[]> {
    const artifacts = this.settings.runId ? await this.listRun(this.settings.runId) : await this.listCurrentAndRepository()
    const backups = new Map<string, StoredBackup>()
    for (const artifact of artifacts) {
      if (!artifact.name.endsWith(MANIFEST_SUFFIX)) continue
      const backupId = artifact.name.slice(0, -MANIFEST_SUFFIX.length)
      const parsed = parseBackupId(backupId)
      if (!parsed || backups.has(backupId)) continue
      const backup = { backupId, app: parsed.app, hostId: parsed.hostId, createdAt: artifact.createdAt, location: { runId: artifact.runId, manifestArtifactId: artifact.id } }
      if (matchesFilter(backup, filter)) backups.set(backupId, backup)
    }
    return newestFirst([...backups.values()])
  }

  async fetch(backup: StoredBackup, fileName: string, destDir: string): Promise<string> {
    const runId = Number(backup.location.runId)
    const artifact = (await this.listRun(runId)).find(candidate => candidate.name === fileName)
    if (!artifact) {
      throw new StoreError(`The artifact ${fileName} is missing from workflow run ${runId}.`, 'the backup is incomplete or its artifacts expired; pick another backup-id.')
    }
    try {
      const findBy = this.findBy(runId)
      await this.withRetry(`Downloading ${fileName}`, () => this.client.downloadArtifact(artifact.id, { path: destDir, ...findBy }))
    } catch (error) {
      throw new StoreError(`Downloading ${fileName} failed: ${(error as Error).message}`, 'check that github-token has `actions: read` and the artifact has not expired.', { cause: error })
    }
    const path = join(destDir, fileName)
    await access(path).catch(() => {
      throw new StoreError(`The download of ${fileName} did not produce the file.`, 'the artifact may have been uploaded by another tool; pick another backup-id.')
    })
    return path
  }

  /**
   * The artifact client retries HTTP 5xx itself but gives up at once on a dropped connection, and its
   * download of another run's artifact does not retry at all; listing, downloading and a fresh upload
   * are safe to repeat, so a few more attempts with backoff turn a network blip into a delay.
   */
  private async withRetry<T>(what: string, work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work()
      } catch (error) {
        if (attempt >= RETRY_ATTEMPTS || !isTransient(error)) throw error
        const delay = RETRY_BASE_MS * 2 ** (attempt - 1)
        this.logger.warning(`${what} failed (${(error as Error).message.split('\n')[0]}); retrying in ${delay / 1000} s (attempt ${attempt + 1} of ${RETRY_ATTEMPTS}).`)
        await new Promise(resolve => setTimeout(resolve, delay))
      }
    }
  }

  private findBy(runId: number): { findBy?: { token: string; workflowRunId: number; repositoryOwner: string; repositoryName: string } } {
    if (runId === this.settings.currentRunId && process.env.ACTIONS_RUNTIME_TOKEN) return {}
    if (!this.settings.token) {
      throw new StoreError(`Reading artifacts of workflow run ${runId} needs a token.`, 'set `github-token` (the default `${{ github.token }}` works when the job has `permissions: actions: read`).')
    }
    const [repositoryOwner, repositoryName] = this.settings.repository.split('/')
    return { findBy: { token: this.settings.token, workflowRunId: runId, repositoryOwner, repositoryName } }
  }

  private async listRun(runId: number): Promise<ListedArtifact[]> {
    const cached = this.runListings.get(runId)
    if (cached) return cached
    let artifacts: Artifact[]
    try {
      const findBy = this.findBy(runId)
      artifacts = (await this.withRetry(`Listing the artifacts of run ${runId}`, () => this.client.listArtifacts(findBy))).artifacts
    } catch (error) {
      if (error instanceof StoreError) throw error
      throw new StoreError(`Listing the artifacts of workflow run ${runId} failed: ${(error as Error).message}`, 'check `run-id` and that `github-token` has `actions: read`.', { cause: error })
    }
    const listed = artifacts.map(artifact => ({ id: artifact.id, name: artifact.name, runId, createdAt: (artifact.createdAt ?? new Date(0)).toISOString() }))
    this.runListings.set(runId, listed)
    return listed
  }

  private async listCurrentAndRepository(): Promise<ListedArtifact[]> {
    const found: ListedArtifact[] = []
    if (this.settings.currentRunId && process.env.ACTIONS_RUNTIME_TOKEN) found.push(...(await this.listRun(this.settings.currentRunId)))
    if (this.settings.token) found.push(...(await this.listRepository()))
    return found
  }

  /** The repository's artifacts across all runs, newest first (REST; the artifact client has no such call). */
  private async listRepository(): Promise<ListedArtifact[]> {
    const found: ListedArtifact[] = []
    for (let page = 1; page <= REPOSITORY_PAGES; page++) {
      const url = `${this.settings.apiUrl}/repos/${this.settings.repository}/actions/artifacts?per_page=100&page=${page}`
      const response = await fetchWithRetry(url, this.settings.token ?? '')
      if (!response.ok) {
        throw new StoreError(`Listing the repository's artifacts failed: HTTP ${response.status}.`, 'check that `github-token` has `actions: read` on this repository.')
      }
      const body = (await response.json()) as { artifacts: { id: number; name: string; expired: boolean; created_at: string; workflow_run?: { id: number } }[] }
      for (const artifact of body.artifacts) {
        if (!artifact.expired && artifact.workflow_run?.id) {
          found.push({ id: artifact.id, name: artifact.name, runId: artifact.workflow_run.id, createdAt: artifact.created_at })
        }
      }
      if (body.artifacts.length < 100) break
    }
    this.logger.debug(`repository listing: ${found.length} artifacts`)
    return found
  }
}

async function fetchWithRetry(url: string, token: string): Promise<Response> {
  let last: Response | undefined
  for (let attempt = 0; attempt < 4; attempt++) {
    if (attempt > 0) await new Promise(resolve => setTimeout(resolve, 500 * 2 ** attempt))
    try {
      last = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' } })
      if (last.status < 500 && last.status !== 429) return last
    } catch (error) {
      if (attempt === 3) throw new StoreError(`Cannot reach the GitHub API: ${(error as Error).message}`, 'retry later.', { cause: error })
    }
  }
  return last as Response
}
