import { InputError } from '../kernel/errors.js'
import type { InputReader } from '../kernel/input-reader.js'
import { hasRetention, RETENTION_RULES, type RetentionPolicy } from '../pipeline/retention.js'
import type { BudgetSettings } from '../pipeline/budget.js'

/** At most this many periods per rule: 100 years of days, far beyond any store's life. */
const MOST = 36_500

export interface RetentionInputs {
  policy: RetentionPolicy
  /** Print what retention would delete, and delete nothing. */
  dryRun: boolean
}

/** storage-budget and on-budget: only the artifact store has a quota to check against. */
export function parseBudgetInputs(reader: InputReader, store: 'github' | 'local' | 's3'): BudgetSettings | undefined {
  const bytes = reader.byteSize('storage-budget', { min: 1024, max: 1024 ** 4 })
  const onExceed = reader.choice('on-budget', ['fail', 'warn'] as const)
  if (bytes === undefined) return undefined
  if (store !== 'github') throw new InputError('storage-budget', `applies to store: github (the Actions storage quota), not store: ${store}.`, 'leave storage-budget empty for this store.')
  return { bytes, onExceed }
}

/** keep-last, keep-daily, keep-weekly, keep-monthly, keep-yearly and dry-run; `prune` says retention is the whole job. */
export function parseRetentionInputs(reader: InputReader, prune: boolean): RetentionInputs {
  const policy = Object.fromEntries(RETENTION_RULES.map(rule => [rule, reader.integer(`keep-${rule}`, { min: 0, max: MOST }) ?? 0])) as unknown as RetentionPolicy
  if (prune && !hasRetention(policy)) {
    throw new InputError(
      'mode',
      'is prune, but no keep-* input is set: that would keep nothing.',
      'set at least one of keep-last, keep-daily, keep-weekly, keep-monthly, keep-yearly, e.g. keep-daily: 7.'
    )
  }
  return { policy, dryRun: reader.boolean('dry-run') }
}
