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
