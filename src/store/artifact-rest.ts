import { StoreError } from '../kernel/errors.js'
import type { Logger } from '../kernel/log.js'
import { backupIdOfFile, parseBackupId } from '../kernel/manifest.js'
import { storedFileName, type ArtifactStoreSettings, type ListedArtifact } from './artifact-listing.js'
import { restDelete, restGet, restGetRedirect, withRetry, type RestAnswer, type RetryPolicy } from './github-http.js'
import type { DeleteOutcome, StoreUsage } from './store.js'

/** The REST API's largest page. A repository with tens of thousands of artifacts takes that many hundred pages; none is skipped. */
const PAGE_SIZE = 100

/** An artifact as the REST API lists it. */
export interface RestArtifact {
  id: number
  name: string
  size_in_bytes?: number
  expired: boolean
  created_at: string
  expires_at?: string
  workflow_run?: { id: number; repository_id?: number; head_repository_id?: number }
}

/**
 * The artifact store's side that only the REST API offers: the repository-wide listing (every page),
 * the sizes and expiry dates a quota is counted in, a backup's expiry, and deleting another run's artifacts.
 */
export class ArtifactRestApi {
  constructor(
    private readonly settings: ArtifactStoreSettings,
    private readonly logger: Logger,
    private readonly retry: RetryPolicy
  ) {}

  /** Every page of a REST artifact listing under the repository (`path`); `what` and `hint` word its errors. */
  async listAll(path: string, what: string, hint: string): Promise<RestArtifact[]> {
    const found: RestArtifact[] = []
    for (let page = 1; ; page++) {
      const url = `${this.settings.apiUrl}/repos/${this.settings.repository}/${path}?per_page=${PAGE_SIZE}&page=${page}`
      let response: RestAnswer
      try {
        response = await withRetry(this.logger, `Listing ${what} (page ${page})`, this.retry, () => restGet(url, this.settings.token ?? ''))
      } catch (error) {
        const status = (error as { status?: number }).status
        if (status !== undefined)
          throw new StoreError(`Listing ${what} failed: HTTP ${status}.`, 'the GitHub API kept failing; retry later, or set run-id to read one run through the artifact service.', {
            cause: error
          })
        throw new StoreError(`Cannot reach the GitHub API: ${(error as Error).message}`, 'check that the runner reaches GITHUB_API_URL, then retry later.', { cause: error })
      }
      if (!response.ok) throw new StoreError(`Listing ${what} failed: HTTP ${response.status}.`, hint)
      const body = response.json<{ total_count: number; artifacts: RestArtifact[] }>()
      found.push(...body.artifacts)
      // total_count bounds the walk: an API that kept answering full pages cannot keep the listing going forever.
      if (body.artifacts.length < PAGE_SIZE || page * PAGE_SIZE >= body.total_count) break
    }
    return found
  }

  /**
   * Where artifact `id` is downloaded from: the API answers 302 with a signed blob address, valid for
   * about a minute, so it is asked for right before each download attempt.
   */
  async downloadAddress(id: number): Promise<string> {
    const url = `${this.settings.apiUrl}/repos/${this.settings.repository}/actions/artifacts/${id}/zip`
    const response = await withRetry(this.logger, `Looking up the download of artifact ${id}`, this.retry, () => restGetRedirect(url, this.settings.token ?? ''))
    const location = response.location
    if (response.status !== 302 || !location) {
      const why = response.status === 302 ? 'without an address' : `HTTP ${response.status}`
      throw Object.assign(new Error(`the GitHub API answered the download of artifact ${id} ${why}`), { status: response.status === 302 ? 502 : response.status })
    }
    return location
  }

  /**
   * The repository's artifacts as GitHub counts them against the Actions storage quota: every artifact
   * not expired, backups or not. A backup's size is the sum of its artifacts; it expires with its first.
   */
  async usage(): Promise<StoreUsage | undefined> {
    if (!this.settings.token) return undefined
    const artifacts = (await this.listAll('actions/artifacts', "the repository's artifacts", 'check that `github-token` has `actions: read` on this repository.')).filter(artifact => !artifact.expired)
    const backups = new Map<string, StoreUsage['backups'][number]>()
    let totalBytes = 0
    let otherBytes = 0
    // Newest first (the REST order), so the map's order is too.
    for (const artifact of artifacts) {
      const bytes = artifact.size_in_bytes ?? 0
      totalBytes += bytes
      const backupId = backupIdOfFile(storedFileName(artifact.name)) ?? ''
      const parsed = parseBackupId(backupId)
      if (!parsed) {
        otherBytes += bytes
        continue
      }
      const entry = backups.get(backupId) ?? { backupId, app: parsed.app, hostId: parsed.hostId, bytes: 0, expiresAt: artifact.expires_at }
      entry.bytes += bytes
      if (artifact.expires_at && (!entry.expiresAt || artifact.expires_at < entry.expiresAt)) entry.expiresAt = artifact.expires_at
      backups.set(backupId, entry)
    }
    return { totalBytes, otherBytes, backups: [...backups.values()] }
  }

  /**
   * When the first of the artifacts `ids` of workflow run `runId` expires, as the service recorded it
   * (without retention-days it applies the repository's setting); undefined unless it lists them all.
   */
  async earliestExpiry(runId: number, ids: string[]): Promise<string | undefined> {
    if (!this.settings.token) return undefined
    const wanted = new Set(ids)
    const listed = (await this.listAll(`actions/runs/${runId}/artifacts`, `the artifacts of workflow run ${runId}`, 'check that `github-token` has `actions: read`.')).filter(artifact =>
      wanted.has(String(artifact.id))
    )
    const expiries = listed.map(artifact => Date.parse(artifact.expires_at ?? ''))
    if (listed.length !== wanted.size || expiries.some(Number.isNaN)) return undefined
    return new Date(Math.min(...expiries)).toISOString()
  }

  /** Deletes `artifacts` (the manifest's first, as given) through the REST API; the token needs `actions: write`. */
  async deleteAll(artifacts: ListedArtifact[]): Promise<DeleteOutcome> {
    if (!this.settings.token) return { deleted: false, refused: 'deleting artifacts of another run needs github-token with `actions: write`' }
    try {
      for (const artifact of artifacts) {
        const url = `${this.settings.apiUrl}/repos/${this.settings.repository}/actions/artifacts/${artifact.id}`
        const response = await withRetry(this.logger, `Deleting ${artifact.name}`, this.retry, () => restDelete(url, this.settings.token ?? ''))
        // 404: already gone (expired, or deleted by someone else): the goal is reached.
        if (response.status === 403)
          return { deleted: false, refused: `GitHub refused to delete ${artifact.name} (HTTP 403): give the job \`permissions: actions: write\` (or a token with it) to prune artifacts` }
        if (!response.ok && response.status !== 404) return { deleted: false, refused: `deleting ${artifact.name} failed: HTTP ${response.status}` }
      }
    } catch (error) {
      return { deleted: false, refused: `deleting its artifacts failed: ${(error as Error).message}` }
    }
    return { deleted: true }
  }
}
