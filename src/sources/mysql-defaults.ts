import { VerificationError } from '../kernel/errors.js'
import type { PartRecord } from '../kernel/manifest.js'

/** A database's default character set and collation (information_schema.SCHEMATA), which a dump does not carry. */
export interface DatabaseDefaults {
  characterSet: string
  collation: string
}

/** What every restore used before backups recorded the defaults, and what one still uses for such a backup. */
export const FALLBACK_DEFAULTS: Readonly<DatabaseDefaults> = { characterSet: 'utf8mb4', collation: 'utf8mb4_unicode_ci' }

/** Character set and collation names are plain words; anything else is refused before it reaches SQL. */
const CHARSET_NAME = /^[A-Za-z0-9_]{1,64}$/

/** A value from a manifest, shown in a message: quoted, escaped and cut short. */
function shown(value: unknown): string {
  if (typeof value !== 'string') return value === undefined ? 'missing' : `a ${value === null ? 'null' : typeof value}`
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)
}

/** Why `value` (read back from a manifest or a host) is not a usable DatabaseDefaults; undefined when it is. */
export function defaultsProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the recorded defaults are not an object with characterSet and collation'
  const { characterSet, collation, ...rest } = value as Record<string, unknown>
  const names = [
    ['character set', characterSet],
    ['collation', collation]
  ] as const
  for (const [what, name] of names) {
    if (typeof name !== 'string' || !CHARSET_NAME.test(name)) return `the recorded default ${what} (${shown(name)}) is not a name of letters, digits and "_"`
  }
  if (Object.keys(rest).length > 0) return `the recorded defaults hold unknown fields (${Object.keys(rest).slice(0, 3).map(shown).join(', ')})`
  return undefined
}

/** A part's recorded defaults (details.defaults); undefined for a backup made before they were recorded. Throws when malformed. */
export function recordedDefaults(record: Pick<PartRecord, 'name' | 'details'>): DatabaseDefaults | undefined {
  const value = record.details?.defaults
  if (value === undefined) return undefined
  const problem = defaultsProblem(value)
  if (problem) throw new VerificationError(`Part ${record.name}: ${problem}.`, 'restore a backup made by selfhost-backup; this manifest was altered.')
  const { characterSet, collation } = value as DatabaseDefaults
  return { characterSet, collation }
}

export function describeDefaults(defaults: DatabaseDefaults): string {
  return `collation ${defaults.collation} (character set ${defaults.characterSet})`
}

/** A server's hex answer as names: each must be a plain name, however the host answered. */
export function defaultsFromServer(characterSetHex: string | undefined, collationHex: string | undefined, database: string): DatabaseDefaults {
  const defaults = { characterSet: Buffer.from(characterSetHex ?? '', 'hex').toString('utf8'), collation: Buffer.from(collationHex ?? '', 'hex').toString('utf8') }
  const problem = defaultsProblem(defaults)
  if (problem) throw new VerificationError(`The database server reported defaults for ${database} that are not plain names: ${problem.replace('the recorded', 'the')}.`)
  return defaults
}

/** Names as the server compares them: without regard to case. */
export function sameDefaults(expected: DatabaseDefaults, actual: DatabaseDefaults | undefined): boolean {
  return actual !== undefined && expected.characterSet.toLowerCase() === actual.characterSet.toLowerCase() && expected.collation.toLowerCase() === actual.collation.toLowerCase()
}

/** A server's hex VERSION() answer, kept to the characters a version holds: it is the target host's text, bound for a log line. */
export function versionFromServer(hex: string | undefined): string {
  const text = Buffer.from(hex ?? '', 'hex').toString('utf8')
  return text.replace(/[^A-Za-z0-9.+~_-]/g, '').slice(0, 60) || 'version unknown'
}
