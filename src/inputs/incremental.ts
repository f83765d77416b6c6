import type { InputReader } from '../kernel/input-reader.js'
import { DEFAULT_FULL_EVERY_DAYS, type IncrementalSettings } from '../pipeline/incremental.js'

export function parseIncrementalInputs(reader: InputReader): IncrementalSettings {
  return {
    enabled: reader.boolean('incremental'),
    fullEveryDays: reader.integer('full-every', { min: 1, max: 365 }) ?? DEFAULT_FULL_EVERY_DAYS
  }
}
