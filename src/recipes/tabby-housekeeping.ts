import { posix } from 'node:path'
import { formatBytes } from '../kernel/log.js'
import { quote, script } from '../kernel/shell.js'
import type { Transport } from '../transport/transport.js'
import { relativePathProblem } from './recipe.js'

/**
 * Tabby copies its database file before each migration (ee/db.backup-YYYYMMDD.sqlite). A plain copy of a
 * WAL-mode database is not a consistent backup, and the copies pile up: home leaves them out by default.
 */
export const MIGRATION_COPIES = 'ee/db.backup-*.sqlite'

/**
 * TABBY_MODEL_CACHE_ROOT moves the downloaded models (default: models/ in the root). As the login user, like
 * $TABBY_ROOT. Inside the root it is excluded like models/ (answered relative to the root); elsewhere it is
 * not in the root at all.
 */
export async function movedModelCache(host: Transport, root: string): Promise<string | undefined> {
  const result = await host.run('printf %s "${TABBY_MODEL_CACHE_ROOT:-}"', { asLoginUser: true, description: 'Finding the Tabby model cache' })
  const cache = posix.normalize(result.stdout)
  if (!result.stdout.startsWith('/')) return undefined
  const relative = posix.relative(root, cache)
  return relative && !relative.startsWith('..') && !posix.isAbsolute(relative) && relativePathProblem(relative) === null ? relative : undefined
}

/** Tabby's pre-migration copies in ee/, with their sizes: said in the summary when home leaves them out. */
export async function migrationCopies(host: Transport, root: string): Promise<{ name: string; bytes: number }[]> {
  const found = await host.run(
    script(`ee=${quote(posix.join(root, 'ee'))}`, '[ -d "$ee" ] || exit 0', `find "$ee" -mindepth 1 -maxdepth 1 -type f -name ${quote(posix.basename(MIGRATION_COPIES))} -printf '%s\\t%f\\0'`),
    { description: "Looking for Tabby's pre-migration copies" }
  )
  return found.stdout
    .split('\0')
    .filter(Boolean)
    .map(line => {
      const [bytes, ...name] = line.split('\t')
      // A file name is host output: shown in the summary, so control characters become "?".
      // eslint-disable-next-line no-control-regex -- replacing control characters is the point
      return { name: `ee/${name.join('\t').replace(/[\u0000-\u001f\u007f]/g, '?')}`, bytes: Number(bytes) }
    })
}

export function leftOutLine(copies: { name: string; bytes: number }[]): string {
  const total = copies.reduce((sum, copy) => sum + copy.bytes, 0)
  const names =
    copies
      .slice(0, 3)
      .map(copy => copy.name)
      .join(', ') + (copies.length > 3 ? ` and ${copies.length - 3} more` : '')
  return `left out ${copies.length} pre-migration cop${copies.length === 1 ? 'y' : 'ies'} of the database (${names}; ${formatBytes(total)}): plain copies Tabby made before a migration, not consistent backups. Set tabby-keep-migration-copies: true to keep them.`
}
