import type { RetryPolicies } from './github-http.js'

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
  /** GITHUB_SERVER_URL: artifacts' web addresses (`url` of a stored item). */
  serverUrl?: string
  /** GITHUB_RETENTION_DAYS: the repository's artifact retention, which also caps retention-days. */
  repositoryRetentionDays?: number
  /** Default: DEFAULT_RETRY (seconds of back-off); tests pass milliseconds. */
  retry?: RetryPolicies
}

export interface ListedArtifact {
  id: number
  name: string
  runId: number
  createdAt: string
}

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
