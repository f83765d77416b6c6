import { posix } from 'node:path'
import type { AppVersion } from '../kernel/app-version.js'
import { SelfhostBackupError } from '../kernel/errors.js'
import type { Logger } from '../kernel/log.js'
import type { ManifestSigner } from '../kernel/manifest-signature.js'
import { quote } from '../kernel/shell.js'
import type { SwapJournal } from '../recipes/host-swap.js'
import type { AnyRecipe } from '../recipes/recipe.js'
import type { SafetyCopy } from './safety-copy.js'

/** The recipe a restore runs, with its options, and what signs and names its safety copy. */
export interface RestoreTarget {
  recipe: AnyRecipe
  options: unknown
  /** Signs the safety copy's manifest, so it restores with the same checks as any backup. */
  signer?: ManifestSigner
  /** What the host runs now: the version the safety copy's data belongs to. */
  application?: AppVersion
}

/** After a failure before the start: every complete swap goes back; the error says what was put back and what was not. */
export async function rolledBack(error: unknown, swaps: SwapJournal, context: RestoreTarget & { databases: SafetyCopy['databases'] }, logger: Logger): Promise<unknown> {
  const { recipe, options, signer, databases } = context
  const kept: SafetyCopy = { files: swaps.places(), databases, keptDatabases: swaps.keptDatabases(), stamp: swaps.stamp }
  if (!swaps.changedAnything) return withRecoveryHint(error, databases ? 'The restore failed' : 'The restore failed before it changed any files', kept, { recipe, options, signer })
  try {
    const back = await logger.group('Putting back what the restore had replaced', () => swaps.rollBack())
    for (const line of back) logger.info(line)
    // An entries swap that stopped part-way is undone too; only a tree swap's is left for the user.
    const partWay = swaps.swaps.filter(swap => !swap.complete && swap.undo.kind === 'tree')
    const replaced = swaps.databases.length === 0 ? 'the files' : swaps.swaps.length === 0 ? 'the databases' : 'the files and databases'
    return withRecoveryHint(
      error,
      partWay.length === 0 ? `The restore failed; ${replaced} it had replaced were put back` : `The restore failed; ${replaced} it had replaced were put back where the swap had ended`,
      { ...kept, files: partWay.map(swap => swap.replaced.path), keptDatabases: [] },
      { recipe, options, signer }
    )
  } catch (rollbackError) {
    logger.warning(`Putting back what the restore had replaced failed: ${(rollbackError as Error).message}`)
    return withRecoveryHint(error, 'The restore failed part-way', kept, { recipe, options, signer })
  }
}

export function withRecoveryHint(error: unknown, what: string, safetyCopy: SafetyCopy | undefined, target: RestoreTarget): unknown {
  if (!(error instanceof SelfhostBackupError) && !(error instanceof Error)) return error
  const { recipe, options, signer } = target
  // The root is named explicitly: on the host, $TABBY_ROOT or ~ may not be what the action used.
  const app = `--app ${recipe.id} ${recipe.recoveryFlags(options)}`
  const steps: string[] = []
  const where = [
    ...(safetyCopy && safetyCopy.files.length > 0 ? [`the files from before the restore are in ${safetyCopy.files.join(', ')}`] : []),
    ...(safetyCopy && safetyCopy.keptDatabases.length > 0 ? [`the tables from before the restore are in the databases ${safetyCopy.keptDatabases.join(', ')}`] : [])
  ]
  if (safetyCopy && where.length > 0) {
    steps.push(`${where.join(' and ')}; put them back with: selfhost-backup put-back ${app} --transport local --sudo true --replaced ${safetyCopy.stamp} (run on the host)`)
  }
  if (safetyCopy?.databases) {
    const { dir, backupId } = safetyCopy.databases
    steps.push(
      `the databases from before the restore are in ${dir}; put them back with: selfhost-backup restore ${app} --transport local --sudo true --store local --store-path ${quote(posix.dirname(dir))} --backup-id ${backupId} --safety-copy false${signer ? ` --trusted-signers ${quote(signer.publicKey)}` : ''} (run on the host)`
    )
  }
  const recovery = steps.length > 0 ? `${steps.join('; ')}.` : what.includes('before it changed') ? 'nothing on the host was changed by the restore.' : 'no safety copy was kept.'
  return new SelfhostBackupError(`${what}: ${error.message}`, recovery, { cause: error })
}
