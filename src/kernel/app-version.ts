/**
 * Which version of an application a backup's data belongs to, and how that compares with what a host runs
 * now. Neither Tabby nor SeaTable migrates a database back down, so data must go back with the image it
 * came from: a restore says which one that is, warns when the host runs a newer one, and refuses data that
 * is newer than the app that would open it.
 */
export interface AppVersion {
  /** The app's release, e.g. "6.0.10": from the image tag (or the app itself); absent when unknown. */
  version?: string
  /** The container image the app runs from, e.g. "seatable/seatable-enterprise:6.0.10". */
  image?: string
  /** The database schema's own version (Tabby: the newest applied sqlx migration), a whole number. */
  schema?: number
  /** The recipe's format revision: a backup made by a newer revision needs a newer selfhost-backup. */
  recipe: number
}

const IMAGE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/:@+-]{0,254}$/
const VERSION_PATTERN = /^v?\d{1,6}(\.\d{1,6}){0,3}([-+][A-Za-z0-9.-]{1,40})?$/

/** The release in an image reference's tag ("seatable/seatable-enterprise:6.0.10" → "6.0.10"); undefined for "latest" or a digest. */
export function versionFromImage(image: string): string | undefined {
  const withoutDigest = image.split('@')[0]
  const colon = withoutDigest.lastIndexOf(':')
  if (colon < 0 || withoutDigest.slice(colon).includes('/')) return undefined
  const tag = withoutDigest.slice(colon + 1)
  return VERSION_PATTERN.test(tag) ? tag.replace(/^v/, '') : undefined
}

/** An image reference as `docker inspect` prints it, or undefined when the text is not one. */
export function parseImage(text: string): string | undefined {
  const image = text.trim()
  return IMAGE_PATTERN.test(image) ? image : undefined
}

/** Problems with a manifest's recorded version (it is read back from a store: untrusted until checked). */
export function appVersionProblems(value: unknown): string[] {
  if (value === undefined) return []
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['application is not an object']
  const { version, image, schema, recipe } = value as Record<string, unknown>
  const problems: string[] = []
  if (version !== undefined && (typeof version !== 'string' || !VERSION_PATTERN.test(version))) problems.push('application.version is not a version number')
  if (image !== undefined && (typeof image !== 'string' || !IMAGE_PATTERN.test(image))) problems.push('application.image is not an image reference')
  if (schema !== undefined && (!Number.isSafeInteger(schema) || (schema as number) < 0)) problems.push('application.schema is not a whole number')
  if (!Number.isSafeInteger(recipe) || (recipe as number) < 1) problems.push('application.recipe is not a revision number')
  return problems
}

/** "6.0.10 (image seatable/seatable-enterprise:6.0.10, schema 50)": what a summary and the app-version output say. */
export function describeAppVersion(version: AppVersion | undefined): string {
  if (!version) return 'unknown (made before selfhost-backup recorded versions)'
  const facts = [version.image ? `image ${version.image}` : '', version.schema !== undefined ? `schema ${version.schema}` : ''].filter(Boolean)
  const head = version.version ?? (facts.length > 0 ? '' : 'unknown')
  return head && facts.length > 0 ? `${head} (${facts.join(', ')})` : head || facts.join(', ')
}

/** The short form for the `app-version` output: the release, else the image, else the schema, else empty. */
export function appVersionOutput(version: AppVersion | undefined): string {
  if (!version) return ''
  return version.version ?? version.image ?? (version.schema !== undefined ? `schema ${version.schema}` : '')
}

export type VersionRelation = 'same' | 'backup-older' | 'backup-newer' | 'unknown'

/**
 * How the backup's version compares with the running one: by release when both are known (numerically,
 * part by part), else by schema. `basis` says what was compared, for the message.
 */
export function compareAppVersions(backup: AppVersion | undefined, running: AppVersion | undefined): { relation: VersionRelation; basis: string } {
  if (!backup || !running) return { relation: 'unknown', basis: backup ? 'the running version could not be read' : 'the backup records no version' }
  if (backup.version && running.version) {
    const order = compareReleases(backup.version, running.version)
    if (order !== 0 || backup.schema === undefined || running.schema === undefined) return { relation: relationOf(order), basis: `release ${backup.version} against ${running.version}` }
  }
  if (backup.schema !== undefined && running.schema !== undefined) {
    return { relation: relationOf(Math.sign(backup.schema - running.schema)), basis: `schema ${backup.schema} against ${running.schema}` }
  }
  return { relation: 'unknown', basis: 'neither a release nor a schema version is known on both sides' }
}

function relationOf(order: number): VersionRelation {
  return order === 0 ? 'same' : order < 0 ? 'backup-older' : 'backup-newer'
}

/** Dotted release numbers compared part by part ("6.0.10" > "6.0.9"); a pre-release suffix sorts before its release. */
export function compareReleases(left: string, right: string): number {
  const split = (text: string): { numbers: number[]; suffix: string } => {
    const match = /^v?([\d.]+)(?:[-+](.*))?$/.exec(text)
    return { numbers: (match?.[1] ?? '').split('.').map(Number), suffix: match?.[2] ?? '' }
  }
  const a = split(left)
  const b = split(right)
  for (let index = 0; index < Math.max(a.numbers.length, b.numbers.length); index++) {
    const difference = (a.numbers[index] ?? 0) - (b.numbers[index] ?? 0)
    if (difference !== 0) return Math.sign(difference)
  }
  if (a.suffix === b.suffix) return 0
  if (!a.suffix || !b.suffix) return a.suffix ? -1 : 1
  return a.suffix < b.suffix ? -1 : 1
}
