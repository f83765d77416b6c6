import type { AnyRecipe } from '../recipes/recipe.js'
import type { Transport } from '../transport/transport.js'
import { compareAppVersions, describeAppVersion, type AppVersion } from '../kernel/app-version.js'
import { VerificationError } from '../kernel/errors.js'
import type { Logger } from '../kernel/log.js'
import type { Manifest } from '../kernel/manifest.js'

/** What the restore found out about versions: the host's, and the sentence for the summary. */
export interface VersionVerdict {
  /** What the host runs now (recorded in the safety copy's manifest); undefined when nothing could be read. */
  running?: AppVersion
  summary: string
}

/**
 * The app's version as the host runs it now, with this recipe's revision: what a backup records and a restore
 * compares. A version that cannot be read is a warning and leaves only the revision; it never fails the run.
 */
export async function readRunningVersion(host: Transport, target: { recipe: AnyRecipe; options: unknown }, logger: Logger): Promise<AppVersion> {
  const { recipe, options } = target
  const read = await recipe.readVersion(host, options, { logger }).catch((error: unknown) => {
    logger.warning(`The ${recipe.title} version on the host could not be read, so it is neither recorded nor compared: ${(error as Error).message}`)
    return {}
  })
  return { ...read, recipe: recipe.revision }
}

/**
 * The version the backup's data belongs to against what the host runs now, before anything is downloaded:
 * data newer than the app is refused (no migration goes back down) unless allow-version-mismatch is set; an
 * app newer than the data is a warning that names the image to run; a backup made by a newer recipe
 * revision is refused outright, since this selfhost-backup would restore it wrongly.
 */
export async function checkAppVersion(host: Transport, target: { recipe: AnyRecipe; options: unknown }, manifest: Manifest, allowMismatch: boolean, logger: Logger): Promise<VersionVerdict> {
  const { recipe, options } = target
  const recorded = manifest.application
  if (recorded && recorded.recipe > recipe.revision) {
    throw new VerificationError(
      `${manifest.backupId} was made by a newer selfhost-backup (its ${recipe.title} backups are at revision ${recorded.recipe}; this one knows revision ${recipe.revision}). Nothing was downloaded and nothing on the host was changed.`,
      'restore it with the selfhost-backup version that made it (the manifest names it under tool.version), or a newer one.'
    )
  }
  const { recipe: _revision, ...read } = await readRunningVersion(host, { recipe, options }, logger)
  // Only the revision is known when nothing could be read: nothing to compare against.
  const running = Object.keys(read).length > 0 ? { ...read, recipe: recipe.revision } : undefined
  const { relation, basis } = compareAppVersions(recorded, running)
  const belongs = `The data belongs to ${recipe.title} ${describeAppVersion(recorded)}; the host runs ${running ? describeAppVersion(running) : 'a version that could not be read'}.`
  const imageToRun = recorded?.image ? ` (image ${recorded.image})` : ''
  if (relation === 'backup-newer') {
    const message = `${manifest.backupId} belongs to a newer ${recipe.title} than the host runs (${basis}). Neither Tabby nor SeaTable migrates data back down, so the app on the host may not open it.`
    if (!allowMismatch) {
      throw new VerificationError(
        `${message} Nothing was downloaded and nothing on the host was changed.`,
        `upgrade ${recipe.title} on the host to ${describeAppVersion(recorded)} first and restore then, or restore an older backup (set backup-id); set allow-version-mismatch: true only if you know this version reads that data.`
      )
    }
    logger.warning(`${message} Restoring anyway (allow-version-mismatch: true).`)
    return { running, summary: `${belongs} ⚠️ The data is newer than the app (allow-version-mismatch: true).` }
  }
  if (relation === 'backup-older') {
    const advice = `Start the app on the restored data with the version it came from, ${recorded?.version ?? describeAppVersion(recorded)}${imageToRun}, and upgrade from there: a newer app may migrate it, an older state cannot be reached again.`
    logger.warning(`${belongs} ${advice}`)
    return { running, summary: `${belongs} ⚠️ ${advice}` }
  }
  logger.info(relation === 'same' ? `${belongs} Same version (${basis}).` : `${belongs} The versions could not be compared: ${basis}.`)
  return { running, summary: relation === 'same' ? belongs : `${belongs} Not compared: ${basis}.` }
}
