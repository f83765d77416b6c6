import { formatSeconds } from '../kernel/log.js'
import { posix } from 'node:path'
import { InputError, PreflightError } from '../kernel/errors.js'
import { allToTheEnd, settled } from '../kernel/concurrency.js'
import { InputReader } from '../kernel/input-reader.js'
import { quote, script } from '../kernel/shell.js'
import { compressionExtension, parseCompressionChoice, resolveCompression } from '../sources/compression.js'
import type { DatabaseAccess } from '../sources/mysql.js'
import { levelOf, streamTar } from '../sources/tar.js'
import { RESTORE_HOST_NEEDS, existingOnHost, pinDirectory } from './host-files.js'
import { replaceTree } from './host-swap.js'
import { fixedParts, partKindProblems, recordedPathProblems, type Recipe } from './recipe.js'
import { chooseLayout, layoutEvidence, LAYOUTS, probeHost, SEATABLE_SCRIPT } from './seatable-layout.js'
import type { SeaTableOptions } from './seatable-options.js'
import { backupDatabases, checkDatabaseAccess, databaseDefaultsProblems, prepareDatabaseSwap, putBackDatabases, recordedDefaultsProblems, restoreDatabases } from './seatable-databases.js'
import { notCoveredBy, readSeaTableVersion, surveyInstall } from './seatable-install.js'

export type { SeaTableOptions } from './seatable-options.js'

export const DEFAULT_DATABASES = ['ccnet_db', 'seafile_db', 'dtable_db']
/** Every database a SeaTable install has (scheduler only on newer ones): a restore may re-create these on an empty server. */
const SEATABLE_DATABASES = [...DEFAULT_DATABASES, 'scheduler']
const DEFAULT_CADDY_DIR = '/opt/caddy'
const LAYOUT_DEFAULT_HINT = "give a full path on the host, or leave it empty for the layout's default."
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/

function nameOrEmpty(reader: InputReader, name: string): string {
  const value = reader.string(name)
  if (value && !NAME_PATTERN.test(value)) throw new InputError(name, `"${value}" is not a valid name.`, 'use letters, digits, ".", "_" and "-".')
  return value
}

export const seatableRecipe = {
  id: 'seatable',
  title: 'SeaTable',
  makesDatabaseDumps: true,
  revision: 1,
  inputs: [
    'seatable-root',
    'seatable-layout',
    'compose-dir',
    'caddy-dir',
    'db-mode',
    'db-container',
    'seatable-container',
    'db-host',
    'db-port',
    'db-user',
    'db-password',
    'databases',
    'skip-log-tables',
    'dtable-db-backup',
    'compression',
    'seatable-ai-dir',
    'seatable-s3'
  ],

  parseOptions(raw) {
    const reader = new InputReader(name => raw[name] ?? '')
    const layout = reader.choice('seatable-layout', ['auto', 'old', 'current'] as const)
    const mode = reader.choice('db-mode', ['docker', 'direct'] as const)
    const user = reader.string('db-user') || 'root'
    const password = reader.string('db-password')
    // Checked in both modes: a wrong value is worth an error even where it would be ignored.
    const container = nameOrEmpty(reader, 'db-container')
    const dbHost = nameOrEmpty(reader, 'db-host') || '127.0.0.1'
    const port = reader.integer('db-port', { min: 1, max: 65535 }) ?? 3306
    const access: DatabaseAccess = mode === 'docker' ? { mode, container, user, password } : { mode, host: dbHost, port, user, password }
    const databases = reader
      .string('databases', { multiline: true })
      .split(/[\s,]+/)
      .filter(Boolean)
    for (const database of databases) {
      if (!/^[A-Za-z0-9_]{1,64}$/.test(database)) throw new InputError('databases', `"${database}" is not a database name.`, 'list names like ccnet_db seafile_db dtable_db.')
    }
    const compression = parseCompressionChoice(raw.compression)
    return {
      layout,
      root: reader.absolutePath('seatable-root', LAYOUT_DEFAULT_HINT),
      composeDir: reader.absolutePath('compose-dir', LAYOUT_DEFAULT_HINT),
      caddyDir: reader.absolutePath('caddy-dir', LAYOUT_DEFAULT_HINT),
      access,
      databases,
      configuredDatabases: databases,
      skipLogTables: reader.boolean('skip-log-tables'),
      dtableDbBackup: (raw['dtable-db-backup'] ?? 'true') === '' ? true : reader.boolean('dtable-db-backup'),
      compression,
      dataExcludes: [],
      seatableContainer: nameOrEmpty(reader, 'seatable-container'),
      aiDir: reader.absolutePath('seatable-ai-dir', LAYOUT_DEFAULT_HINT),
      s3Mode: (raw['seatable-s3'] ?? '') === '' ? 'refuse' : reader.choice('seatable-s3', ['refuse', 'skip'] as const)
    }
  },

  async detect(host, options) {
    const facts = await probeHost(host, options.root ? [options.root] : [])
    if (options.root && facts.paths.has(options.root)) return `found ${options.root}`
    if (options.layout !== 'auto') return `${options.layout} layout (set by seatable-layout)`
    // Evidence of both layouts is still SeaTable: preflight then asks for seatable-layout.
    const evidence = layoutEvidence(facts)
    const found = (['current', 'old'] as const).filter(name => evidence[name].length > 0)
    return found.length > 0 ? `${found.join(' and ')} layout (${found.flatMap(name => evidence[name]).join(', ')})` : null
  },

  async preflight(host, options, purpose, { logger }) {
    const facts = await probeHost(host, [options.root, options.composeDir, DEFAULT_CADDY_DIR].filter(Boolean))
    const { layout, reason } = chooseLayout(options.layout, facts)
    const defaults = LAYOUTS[layout]
    logger.info(`SeaTable: ${layout} layout (${reason})`)
    const resolved: SeaTableOptions = {
      ...options,
      layout,
      root: options.root || defaults.root,
      composeDir: options.composeDir || defaults.composeDir,
      // Only where it exists: a restore must not invent a place for a caddy part on a host that has none.
      caddyDir: options.caddyDir || (facts.paths.has(DEFAULT_CADDY_DIR) ? DEFAULT_CADDY_DIR : ''),
      access: options.access.mode === 'docker' ? { ...options.access, container: options.access.container || defaults.dbContainer } : options.access,
      seatableContainer: options.seatableContainer || defaults.seatableContainer,
      dataExcludes: [...defaults.dataExcludes]
    }
    const problems: string[] = []
    if (purpose === 'backup' && !facts.paths.has(resolved.root)) problems.push(`the SeaTable data directory ${resolved.root} does not exist (set seatable-root)`)
    if (purpose === 'backup' && resolved.composeDir && !facts.paths.has(resolved.composeDir)) problems.push(`the compose directory ${resolved.composeDir} does not exist (set compose-dir)`)
    if (resolved.access.mode === 'docker' || resolved.dtableDbBackup) {
      if (!facts.hasDocker) problems.push('docker is not installed on the host (or not on the PATH of the login user / sudo)')
      if (resolved.access.mode === 'docker' && facts.hasDocker && !facts.containers.has(resolved.access.container))
        problems.push(`the database container ${resolved.access.container} is not running (set db-container)`)
      if (resolved.dtableDbBackup && facts.hasDocker && !facts.containers.has(resolved.seatableContainer))
        problems.push(`the SeaTable container ${resolved.seatableContainer} is not running (set seatable-container, or dtable-db-backup: false)`)
    }
    const needs = purpose === 'restore' ? RESTORE_HOST_NEEDS.map(([test, problem]) => `${test} || echo ${quote(problem)}`) : []
    // Asked side by side (each is a round trip), and judged in this order: the host's problems above all.
    const [tools, access, compression, install] = await Promise.allSettled([
      host.run(['tar --version 2>/dev/null | grep -q "GNU tar" || echo "GNU tar is not installed (apt-get install tar)"', ...needs].join('\n'), { description: 'Checking tar' }),
      checkDatabaseAccess(host, resolved.access),
      resolveCompression(host, options.compression),
      surveyInstall(host, resolved, purpose, logger)
    ])
    problems.push(...settled(tools).stdout.split('\n').filter(Boolean))
    if (problems.length > 0) throw new PreflightError(problems, 'fix the problems above; nothing was changed.')
    const existing = settled(access)
    if (resolved.databases.length === 0) {
      resolved.databases = [...DEFAULT_DATABASES, ...(existing.includes('scheduler') ? ['scheduler'] : [])]
    }
    if (purpose === 'restore') {
      // Used only by the safety copy: every database a restore may import (SeaTable's own and the configured
      // ones) that exists now, so an import never drops a database the safety copy did not dump first.
      resolved.databases = [...new Set([...SEATABLE_DATABASES, ...options.configuredDatabases])].filter(database => existing.includes(database))
    } else {
      const missing = resolved.databases.filter(database => !existing.includes(database))
      if (missing.length > 0)
        throw new PreflightError(
          missing.map(database => `the database ${database} does not exist on the server`),
          'check `databases` (default: ccnet_db seafile_db dtable_db).'
        )
    }
    return { ...resolved, ...settled(install), compression: settled(compression) }
  },

  restorable(host, options, manifest) {
    // A collation the target server lacks would fail the import after the stop: said before anything moves.
    return databaseDefaultsProblems(
      host,
      options.access,
      manifest.parts.filter(part => part.kind === 'sql-dump')
    )
  },

  notCovered(options) {
    return notCoveredBy(options)
  },

  async secretFiles(host, options) {
    if (!options.composeDir) return []
    const env = posix.join(options.composeDir, '.env')
    const found = await existingOnHost(host, [env], '-e', 'Looking for the compose .env')
    return found.includes(env) ? [`${env} (the database password and SeaTable's other secrets)`] : []
  },

  async restoredDirectories(host, options) {
    const present = await existingOnHost(host, [options.root, options.composeDir, options.caddyDir, options.aiDir].filter(Boolean), '-d', 'Listing the SeaTable directories')
    return Promise.all(present.map(path => pinDirectory(host, path)))
  },

  dataRoot(options) {
    return options.root
  },

  recoveryFlags(options) {
    return `--seatable-root ${quote(options.root)} (plus your db-* and compose-dir options)`
  },

  describeOptions(options) {
    const { access, survey: _survey, ...rest } = options
    return { ...rest, dbMode: access.mode, dbContainer: access.mode === 'docker' ? access.container : undefined, dbUser: access.user }
  },

  async readVersion(host, options) {
    return options.survey?.running ?? readSeaTableVersion(host, options)
  },

  async backup(host, options, sink, context) {
    const { logger } = context
    const compression = options.compression === 'auto' ? 'zstd' : options.compression
    const extension = `.tar${compressionExtension(compression)}`
    const backupAll = async (): Promise<void> => {
      if (!options.dtableDbBackup) return
      const began = Date.now()
      // Without -t: the vendor's `docker exec -it` fails under cron and Actions, and the backup would silently lack fresh dtable-db data.
      await host.run(script(`docker exec ${quote(options.seatableContainer)} ${SEATABLE_SCRIPT} backup-all`), { description: `dtable-db backup-all in ${options.seatableContainer}` })
      logger.info(`dtable-db: backup-all completed in ${formatSeconds(Date.now() - began)}, storage-data is fresh`)
    }
    // dtable-db's backup-all writes into the data directory, the dumps read MariaDB: they run side by side.
    // The data tarball starts once backup-all is done (it must hold the fresh storage-data) and every dump
    // holds its consistent snapshot: the files it archives are then at least as new as the databases.
    const dumps = backupDatabases(host, options, sink, compression)
    const fresh = backupAll()
    const archived = Promise.all([dumps.snapshotsTaken, fresh]).then(async () => {
      // Preflight guarantees the data and compose directories for a backup; a safety copy takes what exists.
      const present = await existingOnHost(host, [options.root, options.composeDir, options.caddyDir, options.aiDir].filter(Boolean), '-d', 'Listing the SeaTable directories')
      if (present.includes(options.root)) {
        logger.info('data: the databases are in their snapshots and storage-data is fresh, archiving the data directory')
        await sink.addPart({ name: 'data', kind: 'tar', compression, extension }, async out => {
          const snapshot = context.incremental?.snapshotFor('data')
          const { warnings } = await streamTar(
            host,
            { cwd: options.root, paths: ['.'], excludes: options.dataExcludes.map(path => `./${path}`), compression, description: `Archive of ${options.root}`, snapshot },
            out
          )
          return { warnings, details: { path: options.root, excluded: options.dataExcludes }, ...levelOf(snapshot) }
        })
      }
      return present
    })
    await allToTheEnd<unknown>([dumps.done, fresh, archived])
    const present = await archived
    const extras = [
      { name: 'compose', path: options.composeDir },
      { name: 'caddy', path: options.caddyDir },
      { name: 'ai', path: options.aiDir }
    ].filter(extra => extra.path && present.includes(extra.path))
    for (const extra of extras) {
      await sink.addPart({ name: extra.name, kind: 'tar', compression, extension }, async out => {
        const { warnings } = await streamTar(host, { cwd: extra.path, paths: ['.'], excludes: [], compression, description: `Archive of ${extra.path}` }, out)
        return { warnings, details: { path: extra.path } }
      })
    }
  },

  planRestore(options, manifest) {
    return manifest.parts.map(part => {
      if (part.kind === 'sql-dump')
        return `${part.name}: import the dump beside database ${part.name.replace(/^db-/, '')} while SeaTable runs and compare ${Object.keys(part.tables ?? {}).length} tables' row counts, then after the stop swap its tables in by RENAME TABLE, keeping the live ones in a database of their own (a database a swap cannot carry is dumped, then dropped, re-created and imported after the stop)`
      if (part.name === 'data')
        return `data: make ${options.root} equal to the backup (except ${recordedExcludes(options, manifest).join(', ')}), then ${options.dtableDbBackup ? 'seatable.sh restore-all after the start-command' : 'no restore-all (dtable-db-backup: false)'}`
      return `${part.name}: make ${extraDirectory(options, part.name) || '(no directory on this host)'} equal to the backup`
    })
  },

  acceptManifest(options, manifest) {
    const problems = partKindProblems(manifest, name => (/^db-/.test(name) ? 'sql-dump' : fixedParts({ data: 'tar', compose: 'tar', caddy: 'tar', ai: 'tar' })(name)), 'SeaTable')
    const allowed = new Set([...SEATABLE_DATABASES, ...options.configuredDatabases])
    for (const part of manifest.parts.filter(candidate => candidate.kind === 'sql-dump' && /^db-/.test(candidate.name))) {
      const database = part.name.slice('db-'.length)
      if (!allowed.has(database))
        problems.push(`part ${part.name}: ${JSON.stringify(database)} is neither one of SeaTable's databases (${SEATABLE_DATABASES.join(', ')}) nor listed in the \`databases\` input`)
      if (part.details?.database !== database) problems.push(`part ${part.name} names the database ${JSON.stringify(part.details?.database)}, not ${database}`)
    }
    for (const name of EXTRA_PARTS) {
      if (manifest.parts.some(part => part.name === name) && !extraDirectory(options, name)) {
        problems.push(
          `the backup has a ${name} part, but this host has no ${name} directory (${options.layout} layout): set \`${extraInput(name)}\` to where it belongs, or leave the part out with \`parts\``
        )
      }
    }
    if (manifest.options?.dataExcludes !== undefined) problems.push(...recordedPathProblems('dataExcludes', manifest.options.dataExcludes))
    problems.push(...recordedDefaultsProblems(manifest.parts))
    return problems
  },

  async copyBeforeImport(host, options, sink, parts) {
    // Only the databases this restore imports, and all of their rows: a safety copy never skips the log tables.
    const imported = new Set(parts.filter(part => part.kind === 'sql-dump').map(part => part.name.replace(/^db-/, '')))
    const databases = options.databases.filter(database => imported.has(database))
    if (databases.length === 0) return
    const compression = options.compression === 'auto' ? 'zstd' : options.compression
    await backupDatabases(host, { ...options, databases, skipLogTables: false }, sink, compression).done
  },

  prepareSwap(host, options, part, context) {
    return prepareDatabaseSwap(host, options, part, context)
  },

  putBackSwapped(host, options, stamp, { logger }) {
    // Every database a restore may have swapped, whichever the databases input lists now.
    const databases = [...new Set([...SEATABLE_DATABASES, ...options.databases, ...options.configuredDatabases])]
    return putBackDatabases(host, options.access, databases, stamp, logger)
  },

  async restore(host, options, parts, manifest, { logger, swaps, prepared }) {
    const report: string[] = []
    const byName = new Map(parts.map(part => [part.record.name, part]))
    for (const name of EXTRA_PARTS) {
      const part = byName.get(name)
      if (!part) continue
      // Only this host's directory (input, detected layout or compose project): a path recorded in the backup is never used.
      const target = extraDirectory(options, name)
      if (!target) throw new InputError(extraInput(name), `the backup has a ${name} part, but this host has no ${name} directory.`, `set ${extraInput(name)}, or leave the part out with parts.`)
      await replaceTree(host, swaps, { dir: await pinDirectory(host, target), part, keep: [] }, `Restoring ${target}`, logger)
      report.push(`${name} restored into ${target}`)
    }
    const data = byName.get('data')
    const restoreData = async (): Promise<string[]> => {
      if (!data) return []
      await replaceTree(host, swaps, { dir: await pinDirectory(host, options.root), part: data, keep: recordedExcludes(options, manifest) }, `Restoring ${options.root}`, logger)
      return [`data restored into ${options.root}${data.chain ? ` (full backup and ${data.chain.length} incremental${data.chain.length > 1 ? 's' : ''})` : ''}`]
    }
    // The imports keep the database server busy and the extraction the disk and tar: side by side, both
    // finish sooner. Each runs to its end before a failure is reported, so nothing is left half-written unseen.
    const restored = await allToTheEnd([
      restoreDatabases(
        host,
        options,
        parts.filter(part => part.record.kind === 'sql-dump'),
        { logger, swaps, prepared }
      ),
      restoreData()
    ])
    report.push(...restored.flat())
    return report
  },

  async afterStart(host, options, parts) {
    // The vendor's last step, in the running SeaTable container: a stop-command that stopped it has been undone by now.
    if (!options.dtableDbBackup || !parts.some(part => part.record.name === 'data')) return []
    await host.run(script(`docker exec ${quote(options.seatableContainer)} ${SEATABLE_SCRIPT} restore-all`), { description: `dtable-db restore-all in ${options.seatableContainer}` })
    return ['dtable-db: restore-all completed']
  }
} satisfies Recipe<SeaTableOptions>

/** Directories restored whole beside the data, each from this host's own options. */
const EXTRA_PARTS = ['compose', 'caddy', 'ai'] as const

function extraDirectory(options: SeaTableOptions, name: string): string {
  return name === 'compose' ? options.composeDir : name === 'caddy' ? options.caddyDir : name === 'ai' ? options.aiDir : ''
}

function extraInput(name: string): string {
  return name === 'ai' ? 'seatable-ai-dir' : `${name}-dir`
}

/** The vendor's excludes as the backup recorded them (checked by acceptManifest), kept on the host by a restore of data. */
function recordedExcludes(options: SeaTableOptions, manifest: { options: Record<string, unknown> }): string[] {
  return (manifest.options.dataExcludes as string[] | undefined) ?? options.dataExcludes
}
