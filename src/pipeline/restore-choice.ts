import type { Store, StoredBackup } from '../store/store.js'
import type { RecipeChoice } from '../recipes/registry.js'
import { InputError, NoBackupError, VerificationError } from '../kernel/errors.js'
import type { Logger } from '../kernel/log.js'
import { parseBackupId, type Manifest } from '../kernel/manifest.js'
import { fetchManifest, type ManifestReading } from './verification.js'

/** A backup id given as input must be one, and of an app this restore may be for. */
export function checkBackupIdMatchesApp(backupId: string, candidates: readonly RecipeChoice[]): void {
  const parsed = parseBackupId(backupId)
  if (!parsed) {
    throw new InputError(
      'backup-id',
      `"${backupId}" is not a backup id.`,
      "copy the id from the backup job's `backup-id` output or from `selfhost-backup list`, e.g. tabby--host--20261123T020000Z-ab12."
    )
  }
  if (!candidates.some(candidate => candidate.recipe.id === parsed.app)) {
    throw new InputError(
      'backup-id',
      `${backupId} is a ${parsed.app} backup, but app is ${candidates.map(candidate => candidate.recipe.id).join(' or ')}.`,
      'pick a backup of the same application, or set `app` to match it.'
    )
  }
}

export /**
 * The backup to restore, with its verified manifest. An explicit id that does not verify is an error;
 * without one, the newest backup that verifies wins, and every newer one that did not is named in a
 * warning (a forged artifact must neither be restored nor stand in front of the genuine backups).
 */
async function chooseBackup(store: Store, backupId: string, target: { app: string; hostId: string }, reading: ManifestReading, logger: Logger): Promise<{ backup: StoredBackup; manifest: Manifest }> {
  const { app, hostId } = target
  if (backupId) {
    const listed = await store.list({ app })
    const found = listed.find(backup => backup.backupId === backupId)
    if (!found) {
      const known = listed.slice(0, 5).map(backup => backup.backupId)
      throw new NoBackupError(
        `no complete backup ${backupId} was found in the ${store.kind} store.`,
        known.length > 0 ? `available: ${known.join(', ')}${store.traits.notFoundHint}.` : 'check the id, and run-id / store-path.',
        'backup-id'
      )
    }
    return { backup: found, manifest: await fetchManifest(store, found, reading) }
  }
  const refused: string[] = []
  for (const candidate of (await store.list({ app, hostId })).slice(0, 20)) {
    try {
      return { backup: candidate, manifest: await fetchManifest(store, candidate, reading) }
    } catch (error) {
      if (!(error instanceof VerificationError)) throw error
      logger.warning(`Skipping ${candidate.backupId}: ${error.message}`)
      refused.push(candidate.backupId)
    }
  }
  throw new NoBackupError(
    `no complete ${app} backup of this host (${hostId}) ${refused.length > 0 ? `with a valid signature was found in the ${store.kind} store (refused: ${refused.join(', ')})` : `was found in the ${store.kind} store`}.`,
    'set backup-id (and run-id for another workflow run), or check host, store-path and trusted-signers.',
    'backup-id'
  )
}
