import { allToTheEnd, settled } from '../kernel/concurrency.js'
import { posix } from 'node:path'
import { PreflightError } from '../kernel/errors.js'
import { InputReader } from '../kernel/input-reader.js'
import { quote, script } from '../kernel/shell.js'
import { compressionExtension, parseCompressionChoice, resolveCompression, type CompressionChoice } from '../sources/compression.js'
import { newestSqlxMigration, snapshotSqlite } from '../sources/sqlite.js'
import { DATABASE, DATABASE_COMPANIONS, prepareDatabase, refusePlantedLinks, restoreDatabase } from './tabby-database.js'
import { versionFromImage } from '../kernel/app-version.js'
import { runningImages } from './app-probes.js'
import { leftOutLine, migrationCopies, MIGRATION_COPIES, movedModelCache } from './tabby-housekeeping.js'
import { levelOf, streamTar } from '../sources/tar.js'
import type { Transport } from '../transport/transport.js'
import { RESTORE_HOST_NEEDS, existingOnHost, parseRelativePaths, pinChild, pinDirectory } from './host-files.js'
import { replaceDirectory, replaceTree } from './host-swap.js'
import { fixedParts, partKindProblems, recordedPathProblems, type Recipe } from './recipe.js'

export interface TabbyOptions {
  /** Absolute path; empty until preflight resolves $TABBY_ROOT or ~/.tabby on the host. */
  root: string
  exclude: string[]
  compression: CompressionChoice
  /** Host directory for the SQLite snapshot; empty: $TMPDIR or /tmp. */
  hostTempDir: string
  /** Whether `exclude` was given; without it, preflight adds a model cache moved inside the root by TABBY_MODEL_CACHE_ROOT. */
  excludeGiven: boolean
  /** Keep Tabby's pre-migration copies (ee/db.backup-*.sqlite) in home; off by default. */
  keepMigrationCopies: boolean
}

export const TABBY_DEFAULT_EXCLUDES = ['models', 'index', 'repositories']
/** Official images: tabbyml/tabby, also behind a registry prefix. */
const TABBY_IMAGE = /^(?:[^/]+\/)*tabbyml\/tabby(?:[:@]|$)/
/** Directories that are parts of their own; `home` is everything else. */
const DIRECTORY_PARTS = { events: 'events', jobs: 'ee/jobs' } as const

const anchored = (relative: string): string => `./${relative}`

/** Paths that `home` never contains: the live database, the other parts, and the user's excludes. */
function homeExcludes(options: Pick<TabbyOptions, 'exclude' | 'keepMigrationCopies'>): string[] {
  return [DATABASE, ...DATABASE_COMPANIONS, ...Object.values(DIRECTORY_PARTS), ...(options.keepMigrationCopies ? [] : [MIGRATION_COPIES]), ...options.exclude]
}

async function resolveRoot(host: Transport, options: TabbyOptions): Promise<string> {
  if (options.root) return options.root
  // As the login user: sudo would reset both $TABBY_ROOT and $HOME.
  const result = await host.run('printf %s "${TABBY_ROOT:-$HOME/.tabby}"', { asLoginUser: true, description: 'Finding the Tabby root' })
  return result.stdout
}

export const tabbyRecipe = {
  id: 'tabby',
  title: 'Tabby',
  makesDatabaseDumps: false,
  revision: 1,
  inputs: ['tabby-root', 'exclude', 'compression', 'host-temp-dir', 'tabby-keep-migration-copies'],

  parseOptions(raw) {
    const reader = new InputReader(name => raw[name] ?? '')
    // A directory name may contain anything but NUL, newlines included: the path only ever reaches the host quoted.
    const root = reader.absolutePath('tabby-root', 'give the full path, e.g. /home/tabby/.tabby, or leave it empty to use $TABBY_ROOT or ~/.tabby on the host.', { multiline: true })
    const compression = parseCompressionChoice(raw.compression)
    const excludeGiven = raw.exclude !== undefined && raw.exclude.trim() !== ''
    const exclude = excludeGiven ? parseRelativePaths('exclude', raw.exclude) : [...TABBY_DEFAULT_EXCLUDES]
    const hostTempDir = reader.absolutePath('host-temp-dir', 'give a directory on the host with room for a copy of the database, e.g. /var/tmp.')
    const keepMigrationCopies = (raw['tabby-keep-migration-copies'] ?? '') === '' ? false : reader.boolean('tabby-keep-migration-copies')
    return { root, exclude, compression, hostTempDir, excludeGiven, keepMigrationCopies }
  },

  async detect(host, options) {
    const root = await resolveRoot(host, options)
    const found = await host.run(`test -f ${quote(posix.join(root, DATABASE))}`, { allowFailure: true, description: 'Looking for Tabby' })
    return found.exitCode === 0 ? `found ${posix.join(root, DATABASE)}` : null
  },

  async preflight(host, options, purpose) {
    const root = await resolveRoot(host, options)
    if (!root.startsWith('/')) throw new PreflightError([`the Tabby root resolved to "${root}", which is not an absolute path`], 'set the `tabby-root` input.')
    const checks = script(
      `root=${quote(root)}`,
      'problems=()',
      ...(purpose === 'backup'
        ? [
            '[ -d "$root" ] || problems+=("the Tabby root $root does not exist (set tabby-root, or TABBY_ROOT on the host)")',
            `[ ! -d "$root" ] || [ -f "$root/${DATABASE}" ] || problems+=("$root has no ${DATABASE}: is this really Tabby's root? (set tabby-root)")`,
            `[ ! -f "$root/${DATABASE}" ] || [ -r "$root/${DATABASE}" ] || problems+=("$root/${DATABASE} is not readable by $(id -un) (set sudo: true)")`,
            'command -v sqlite3 >/dev/null || { command -v python3 >/dev/null && python3 -c "import sqlite3" 2>/dev/null; } || problems+=("neither sqlite3 nor python3 with its sqlite3 module is installed (apt-get install sqlite3)")'
          ]
        : ['[ -d "$(dirname -- "$root")" ] || problems+=("the parent of $root does not exist")', ...RESTORE_HOST_NEEDS.map(([test, problem]) => `${test} || problems+=(${quote(problem)})`)]),
      'tar --version 2>/dev/null | grep -q "GNU tar" || problems+=("GNU tar is not installed (apt-get install tar)")',
      'if [ ${#problems[@]} -gt 0 ]; then printf \'%s\\n\' "${problems[@]}"; fi'
    )
    // Side by side: a backup's fixed cost is the slowest of these round trips, not their sum. The host's
    // problems are reported first, as when they ran one after another.
    const [checked, chosen, moved] = await Promise.allSettled([
      host.run(checks, { description: 'Checking the host' }),
      options.compression === 'auto' || purpose === 'backup' ? resolveCompression(host, options.compression) : Promise.resolve(options.compression),
      purpose === 'backup' && !options.excludeGiven ? movedModelCache(host, root) : Promise.resolve(undefined)
    ])
    const result = settled(checked)
    const problems = result.stdout.split('\n').filter(Boolean)
    if (problems.length > 0) throw new PreflightError(problems, 'fix the problems above; nothing was changed.')
    const compression = settled(chosen)
    const cache = settled(moved)
    const exclude = cache && !options.exclude.includes(cache) ? [...options.exclude, cache] : options.exclude
    return { ...options, root, compression, exclude }
  },

  async restoredDirectories(host, options) {
    const root = await pinDirectory(host, options.root)
    return [root, await pinChild(host, root, 'ee')]
  },

  dataRoot(options) {
    return options.root
  },

  recoveryFlags(options) {
    return `--tabby-root ${quote(options.root)}`
  },

  describeOptions(options) {
    return { root: options.root, exclude: options.exclude, compression: options.compression, keepMigrationCopies: options.keepMigrationCopies }
  },

  async readVersion(host, options) {
    // One Tabby container is Tabby's; with several, which one uses this root cannot be told from here.
    const [images, schema] = await Promise.all([runningImages(host, TABBY_IMAGE), newestSqlxMigration(host, posix.join(options.root, DATABASE))])
    const image = images.length === 1 ? images[0] : undefined
    return { ...(image ? { image, version: versionFromImage(image) } : {}), ...(schema !== undefined ? { schema } : {}) }
  },

  async backup(host, options, sink, context) {
    const compression = options.compression === 'auto' ? 'zstd' : options.compression
    const extension = compressionExtension(compression)
    const [present, copies] = await Promise.all([
      existingPaths(host, options.root, [DATABASE, ...Object.values(DIRECTORY_PARTS)]),
      options.keepMigrationCopies ? Promise.resolve([]) : migrationCopies(host, options.root)
    ])
    // The parts read different files of the root: side by side, the tarballs stream while SQLite takes its
    // snapshot. They start in the manifest's order (db, events, jobs, home), and each runs to its end.
    const parts: Promise<unknown>[] = []
    // Preflight guarantees the database for a backup; only a safety copy of a damaged root can lack it.
    if (present.includes(DATABASE)) {
      parts.push(
        sink.addPart({ name: 'db', kind: 'sqlite', compression, extension: `.sqlite${extension}` }, async out => {
          const snapshot = await snapshotSqlite(host, posix.join(options.root, DATABASE), compression, out, options.hostTempDir)
          return { tables: snapshot.tables, details: { path: DATABASE } }
        })
      )
    }
    for (const [name, relative] of Object.entries(DIRECTORY_PARTS)) {
      const paths = present.includes(relative) ? [anchored(relative)] : []
      parts.push(
        sink.addPart({ name, kind: 'tar', compression, extension: `.tar${extension}` }, async out => {
          const snapshot = context.incremental?.snapshotFor(name)
          const { warnings } = await streamTar(host, { cwd: options.root, paths, excludes: [], compression, description: `Archive of ${relative}`, snapshot }, out)
          return { warnings, details: { path: relative, present: paths.length > 0 }, ...levelOf(snapshot) }
        })
      )
    }
    if (copies.length > 0) context.logger.info(`home: ${leftOutLine(copies)}`)
    parts.push(
      sink.addPart({ name: 'home', kind: 'tar', compression, extension: `.tar${extension}` }, async out => {
        const excludes = homeExcludes(options).map(anchored)
        const snapshot = context.incremental?.snapshotFor('home')
        const { warnings } = await streamTar(host, { cwd: options.root, paths: ['.'], excludes, compression, description: 'Archive of the rest of the Tabby root', snapshot }, out)
        return { warnings, details: { excluded: homeExcludes(options), ...(copies.length > 0 ? { leftOut: [leftOutLine(copies)] } : {}) }, ...levelOf(snapshot) }
      })
    )
    await allToTheEnd(parts)
  },

  planRestore(options, manifest) {
    const root = options.root || '(the Tabby root on the host)'
    return manifest.parts.map(part => {
      switch (part.name) {
        case 'db':
          return `db: replace ${root}/${DATABASE} by rename (the live file and its -wal/-shm move aside) with a copy written beside the data and checked before the stop (integrity_check, row counts of ${Object.keys(part.tables ?? {}).length} tables), counted again in place`
        case 'home':
          return `home: replace everything in ${root} except ${homeExcludes(options).join(', ')}`
        default:
          return `${part.name}: replace ${root}/${DIRECTORY_PARTS[part.name as keyof typeof DIRECTORY_PARTS] ?? part.name}`
      }
    })
  },

  acceptManifest(_options, manifest) {
    const problems = partKindProblems(manifest, fixedParts({ db: 'sqlite', events: 'tar', jobs: 'tar', home: 'tar' }), 'Tabby')
    // The recorded excludes are kept on the host by a restore of home: never absolute, never "..".
    if (manifest.options?.exclude !== undefined) problems.push(...recordedPathProblems('exclude', manifest.options.exclude))
    return problems
  },

  prepareSwap(host, options, part, { logger }) {
    // Written and checked while the other parts still stream in: after the stop, only renames remain.
    return part.record.name === 'db' && part.on === 'host' ? prepareDatabase(host, options.root, part, logger) : Promise.resolve(undefined)
  },

  async restore(host, options, parts, manifest, { logger, swaps, prepared }) {
    const byName = new Map(parts.map(part => [part.record.name, part]))
    const report: string[] = []
    const root = await pinDirectory(host, options.root)
    const home = byName.get('home')
    await refusePlantedLinks(host, root, { home: home !== undefined, ee: byName.has('jobs') || byName.has('db'), db: byName.has('db') })
    if (home) {
      // As the backup left them out: what it did not hold stays on the host.
      const recorded = { exclude: (manifest.options.exclude as string[] | undefined) ?? options.exclude, keepMigrationCopies: manifest.options.keepMigrationCopies === true }
      const kept = homeExcludes(recorded)
      await replaceTree(host, swaps, { dir: root, part: home, keep: kept }, 'Restoring the rest of the Tabby root', logger)
      report.push('home restored')
    }
    for (const [name, relative] of Object.entries(DIRECTORY_PARTS)) {
      const part = byName.get(name)
      if (!part) continue
      const parent = relative.includes('/') ? await pinChild(host, root, posix.dirname(relative)) : root
      await replaceDirectory(host, swaps, { parent, name: posix.basename(relative), relative, part }, logger)
      report.push(`${name} restored into ${relative}`)
    }
    const db = byName.get('db')
    const ready = prepared.get('db')
    if (ready) report.push(await ready.swapIn(swaps))
    else if (db) report.push(await restoreDatabase(host, swaps, await pinChild(host, root, 'ee'), db, logger))
    return report
  }
} satisfies Recipe<TabbyOptions>

async function existingPaths(host: Transport, root: string, relatives: string[]): Promise<string[]> {
  const found = await existingOnHost(
    host,
    relatives.map(relative => posix.join(root, relative)),
    '-e',
    'Listing the Tabby root'
  )
  return relatives.filter(relative => found.includes(posix.join(root, relative)))
}
