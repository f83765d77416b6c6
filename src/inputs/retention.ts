import { InputError } from '../kernel/errors.js'
import type { InputReader } from '../kernel/input-reader.js'
import { hasRetention, RETENTION_RULES, type RetentionPolicy } from '../pipeline/retention.js'

/** At most this many periods per rule: 100 years of days, far beyond any store's life. */
const MOST = 36_500

export interface RetentionInputs {
  policy: RetentionPolicy
  /** Print what retention would delete, and delete nothing. */
  dryRun: boolean
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
