import { DefaultArtifactClient, type Artifact } from '@actions/artifact'
import { access, copyFile, link, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { StoreError } from '../core/errors.js'
import { chainRetentionDays } from '../core/incremental.js'
import type { Logger } from '../core/log.js'
import { MANIFEST_SUFFIX, parseBackupId } from '../core/manifest.js'
import { itemsInOrder, matchesFilter, newestFirst, saveAll, StoringQueue, type BackupFilter, type BackupToStore, type SaveRequest, type SaveResult, type Store, type StoredBackup, type StoreSession } from './store.js'

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

interface RetryPolicy {
  attempts: number
  /** The first pause; each further one doubles. */
  baseMs: number
}
/** Uploads, listings and downloads through the artifact client: 2 s and 4 s pauses. */
const CLIENT_RETRY: RetryPolicy = { attempts: 3, baseMs: 2000 }
/** Pages of the REST listing, which nothing else retries: 1, 2 and 4 s pauses. */
const REST_RETRY: RetryPolicy = { attempts: 4, baseMs: 1000 }

/**
 * A retried upload goes up under `<file>.retry-<n>`. The failed attempt may have left its artifact
 * created but never finalized (the name stays taken for the rest of the run: a new upload under it is
 * refused) or finalized with the answer lost, so the first name cannot be used again. Listing and
 * fetching read a retry name as the file it holds, and the newest finalized artifact of a file wins.
 */
const RETRY_NAME = /^(.+)\.retry-(\d+)$/

export function retryArtifactName(file: string, retry: number): string {
  return `${file}.retry-${retry}`
}

/** The backup file an artifact holds: its name without a retry suffix. */
export function storedFileName(artifactName: string): string {
  return RETRY_NAME.exec(artifactName)?.[1] ?? artifactName
}

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

/** By time (the Twirp and REST listings write it with and without milliseconds), then by id, which only grows. */
const newestArtifactFirst = (a: ListedArtifact, b: ListedArtifact): number => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id
const sleep = (milliseconds: number): Promise<void> => new Promise(resolve => setTimeout(resolve, milliseconds))

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

  save(request: SaveRequest): Promise<SaveResult> {
    return saveAll(this, request)
  }

  /** Parts upload one after another while the backup goes on; the manifest last, so a listing only shows a backup whose every part is stored. */
  begin(backup: BackupToStore): StoreSession {
    const queue = new StoringQueue()
    const stored = new Map<string, SaveResult['items'][number]>()
    const retentionDays = backup.incremental ? chainRetentionDays(backup.incremental, this.settings.retentionDays, new Date()) : this.settings.retentionDays
    if (backup.incremental) this.logger.info(`Artifacts of this backup are kept ${retentionDays} days, so the chain expires together (full backup of ${backup.incremental.baseStartedAt}).`)
    const failed = (file: string, error: unknown): StoreError =>
      new StoreError(`Uploading ${file} as an artifact failed: ${(error as Error).message}`, 'the backup was not stored (no manifest was uploaded); re-run the job. If it keeps failing, check the Actions service status and the artifact storage quota.', { cause: error })
    const place = (file: string): void =>
      queue.push(async () => {
        try {
          stored.set(file, await this.upload(backup.dir, file, retentionDays))
        } catch (error) {
          throw failed(file, error)
        }
      })
    return {
      addPart: place,
      commit: async (manifestFile, partFiles) => {
        await queue.drain()
        try {
          itemsInOrder(stored, partFiles)
        } catch (error) {
          throw failed(manifestFile, error)
        }
        place(manifestFile)
        await queue.drain()
        this.runListings.clear()
        return { items: itemsInOrder(stored, [...partFiles, manifestFile]), where: `artifacts of workflow run ${this.settings.currentRunId ?? '(current)'}` }
      },
      abandon: async () => {
        await queue.settle()
        for (const item of stored.values()) {
          await this.client.deleteArtifact(item.name).catch((error: unknown) => this.logger.warning(`Could not delete the artifact ${item.name} of the failed backup: ${(error as Error).message}`))
        }
        this.runListings.clear()
      }
    }
  }

  /** Uploads one file; a retry goes up under a fresh name (see RETRY_NAME), from a hard link to the staged file. */
  private async upload(dir: string, file: string, retentionDays: number | undefined): Promise<{ name: string; id: string }> {
    return this.withRetry(`Uploading ${file}`, CLIENT_RETRY, async attempt => {
      const name = attempt === 1 ? file : retryArtifactName(file, attempt - 1)
      if (name !== file) {
        await link(join(dir, file), join(dir, name)).catch(() => copyFile(join(dir, file), join(dir, name)))
        this.logger.info(`Uploading ${file} as the artifact ${name}: the failed upload may have taken the name ${attempt === 2 ? file : retryArtifactName(file, attempt - 2)}.`)
      }
      try {
        const response = await this.client.uploadArtifact(name, [join(dir, name)], dir, { retentionDays, skipArchive: true })
        return { name, id: String(response.id ?? '') }
      } finally {
        if (name !== file) await rm(join(dir, name), { force: true })
      }
    })
  }

  async list(filter?: BackupFilter): Promise<StoredBackup[]> {
    const artifacts = this.settings.runId && !filter?.everywhere ? await this.listRun(this.settings.runId) : await this.listCurrentAndRepository()
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
    return newestFirst([...backups.values()])
  }

  async fetch(backup: StoredBackup, fileName: string, destDir: string): Promise<string> {
    const runId = Number(backup.location.runId)
    const [artifact] = (await this.listRun(runId)).filter(candidate => storedFileName(candidate.name) === fileName).sort(newestArtifactFirst)
    if (!artifact) {
      throw new StoreError(`The artifact ${fileName} is missing from workflow run ${runId}.`, 'the backup is incomplete or its artifacts expired; pick another backup-id.')
    }
    try {
      const findBy = this.findBy(runId)
      await this.withRetry(`Downloading ${artifact.name}`, CLIENT_RETRY, () => this.client.downloadArtifact(artifact.id, { path: destDir, ...findBy }))
    } catch (error) {
      throw new StoreError(`Downloading ${artifact.name} failed: ${(error as Error).message}`, 'check that github-token has `actions: read` and the artifact has not expired.', { cause: error })
    }
    // A raw download is named after its artifact.
    const downloaded = join(destDir, artifact.name)
    const path = join(destDir, fileName)
    await access(downloaded).catch(() => {
      throw new StoreError(`The download of ${artifact.name} did not produce the file.`, 'the artifact may have been uploaded by another tool; pick another backup-id.')
    })
    if (downloaded !== path) await rename(downloaded, path)
    return path
  }

  /**
   * The artifact client retries HTTP 5xx itself but gives up at once on a dropped connection, its
   * download of another run's artifact does not retry at all, and nothing retries the REST listing;
   * listing, downloading and a fresh upload are safe to repeat, so a few more attempts with backoff
   * turn a network blip into a delay. `work` learns which attempt it is (an upload renames its retries).
   */
  private async withRetry<T>(what: string, policy: RetryPolicy, work: (attempt: number) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work(attempt)
      } catch (error) {
        if (attempt >= policy.attempts || !isTransient(error)) throw error
        const delay = policy.baseMs * 2 ** (attempt - 1)
        this.logger.warning(`${what} failed (${(error as Error).message.split('\n')[0]}); retrying in ${delay / 1000} s (attempt ${attempt + 1} of ${policy.attempts}).`)
        await sleep(delay)
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
      artifacts = (await this.withRetry(`Listing the artifacts of run ${runId}`, CLIENT_RETRY, () => this.client.listArtifacts(findBy))).artifacts
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
      let response: Response
      try {
        response = await this.withRetry(`Listing the repository's artifacts (page ${page})`, REST_RETRY, () => restGet(url, this.settings.token ?? ''))
      } catch (error) {
        const status = (error as { status?: number }).status
        if (status !== undefined) throw new StoreError(`Listing the repository's artifacts failed: HTTP ${status}.`, 'the GitHub API kept failing; retry later, or set run-id to read one run through the artifact service.', { cause: error })
        throw new StoreError(`Cannot reach the GitHub API: ${(error as Error).message}`, 'check that the runner reaches GITHUB_API_URL, then retry later.', { cause: error })
      }
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

/** One REST GET; a 5xx or 429 reply becomes an error with its status, which withRetry counts as transient. */
async function restGet(url: string, token: string): Promise<Response> {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' } })
  if (response.status < 500 && response.status !== 429) return response
  await response.body?.cancel()
  throw Object.assign(new Error(`HTTP ${response.status}`), { status: response.status })
}
