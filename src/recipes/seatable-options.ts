import type { DatabaseAccess } from '../sources/mysql.js'
import type { CompressionChoice } from '../sources/compression.js'
import type { LayoutName } from './seatable-layout.js'
import type { SeaTableSurvey } from './seatable-coverage.js'

/** SeaTable's options, parsed from its inputs and completed by preflight. */
export interface SeaTableOptions {
  layout: 'auto' | LayoutName
  root: string
  composeDir: string
  caddyDir: string
  access: DatabaseAccess
  /** Empty: the three SeaTable databases, plus `scheduler` when it exists. At restore, preflight narrows it to those that exist (for the safety copy). */
  databases: string[]
  /** The `databases` input as given: with SeaTable's own, the databases a restore may re-create. */
  configuredDatabases: string[]
  skipLogTables: boolean
  dtableDbBackup: boolean
  compression: CompressionChoice
  /** Filled by preflight. */
  dataExcludes: string[]
  seatableContainer: string
  /** SeaTable AI's data directory (seatable-ai-dir, else found in the compose project by preflight); empty: none. */
  aiDir: string
  /** What a backup does when SeaTable keeps files in S3: refuse (default), or skip them and say so. */
  s3Mode: 'refuse' | 'skip'
  /** Filled by a backup's preflight: what the install has beyond the documented backup. */
  survey?: SeaTableSurvey
}
