import type { Manifest } from '../kernel/manifest.js'

/** Retention assumed for a chain when retention-days is empty: GitHub's default maximum. */
const DEFAULT_CHAIN_RETENTION_DAYS = 90
const DAY_MS = 86_400_000

/**
 * Artifact retention for a chain: the full backup keeps retention + full-every days, each later link as
 * many days less as it is younger, so every link of a chain expires together and a full backup never
 * expires before the incrementals that need it.
 */
export function chainRetentionDays(plan: Pick<NonNullable<Manifest['incremental']>, 'fullEveryDays' | 'baseStartedAt'>, retentionDays: number | undefined, now: Date): number {
  const base = retentionDays ?? DEFAULT_CHAIN_RETENTION_DAYS - plan.fullEveryDays
  const elapsedDays = Math.ceil((now.getTime() - Date.parse(plan.baseStartedAt)) / DAY_MS)
  return Math.max(1, base + plan.fullEveryDays - elapsedDays)
}

/**
 * When an artifact uploaded at `uploadedAt` with `retentionDays` expires, computed as the artifact client
 * computes what it asks for: a retention beyond the repository's limit (GITHUB_RETENTION_DAYS) is cut to
 * it, and the days are calendar days from the upload.
 */
export function artifactExpiry(uploadedAt: Date, retentionDays: number, repositoryRetentionDays?: number): string {
  const days = repositoryRetentionDays !== undefined && repositoryRetentionDays < retentionDays ? repositoryRetentionDays : retentionDays
  const expiry = new Date(uploadedAt)
  expiry.setDate(expiry.getDate() + days)
  return expiry.toISOString()
}
