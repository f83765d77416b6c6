/**
 * The restore drill against real parts: sqlite3 snapshots, mariadb-dump output loaded into a real
 * throwaway mariadbd, and tarballs made by tar or crafted with python's tarfile. Every check must catch
 * its kind of damage, and the throwaway server must be gone afterwards whatever happened.
 */
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, link, writeFile, chmod, access } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Logger } from '../../src/kernel/log.js'
import { DrillSession, type DrillReport } from '../../src/pipeline/drill.js'
import { installScript, startThrowawayMariaDb, systemTablesSql, type ThrowawayMariaDb } from '../../src/pipeline/throwaway-mariadb.js'
import { runSql } from '../../src/sources/mysql.js'
import { LocalTransport } from '../../src/transport/local.js'
import { corruptMiddlePage, craftTar, createShopDatabase, dumpShop, drillParts, makeSqliteDb, partFrom, run, type BuiltPart } from '../support/drill-parts.js'
import { startMariaDb, type MariaDbServer } from '../support/mariadb.js'

const logged: string[] = []
const logger: Logger = {
  info: message => logged.push(message),
  warning: message => logged.push(`warning: ${message}`),
  debug: () => undefined,
  group: (_title, work) => work(),
  mask: () => undefined
}

let workRoot: string
let source: MariaDbServer
let shop: { tables: Record<string, number>; objects: Record<string, number> }
let goodDumpSql: string
const local = new LocalTransport({ sudo: false })

/** Wraps the real server start so a test can see which pids the drill started. */
function watchedStart(started: ThrowawayMariaDb[]) {
  return async (root: string, log: Logger): Promise<ThrowawayMariaDb> => {
    const server = await startThrowawayMariaDb(root, log)
    started.push(server)
    // The password reaches the server through an --init-file and clients through stdin: no argv holds it.
    expect((await allCommandLines()).filter(line => line.includes(server.password))).toEqual([])
    return server
  }
}

async function allCommandLines(): Promise<string[]> {
  const pids = (await readdir('/proc')).filter(name => /^\d+$/.test(name))
  return Promise.all(
    pids.map(pid =>
      readFile(`/proc/${pid}/cmdline`, 'utf8').then(
        text => text.replace(/\0/g, ' '),
        () => ''
      )
    )
  )
}

async function waitUntil(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function drill(parts: BuiltPart[], started: ThrowawayMariaDb[] = []): Promise<DrillReport> {
  const report = await drillParts(parts, { logger, workRoot, startDatabase: watchedStart(started) })
  for (const server of started) expect(isRunning(server.pid)).toBe(false)
  expect((await allCommandLines()).filter(line => line.includes(workRoot) && /mariadbd|mysqld/.test(line))).toEqual([])
  // Every temp dir of the drill (extractions, decompressed snapshots, the server's datadir) is gone.
  expect((await readdir(workRoot)).filter(name => name.startsWith('drill-'))).toEqual([])
  return report
}

function onlyPart(report: DrillReport) {
  expect(report.parts).toHaveLength(1)
  return report.parts[0]
}

async function dumpPart(name: string, sql: string, tables = shop.tables, objects = shop.objects): Promise<BuiltPart> {
  const file = path.join(workRoot, `${name}.sql`)
  await writeFile(file, sql)
  return partFrom(name, 'sql-dump', file, 'zstd', { tables, details: { database: 'shop', objects, rowCountRanges: {} } })
}

beforeAll(async () => {
  workRoot = await mkdtemp(path.join(os.tmpdir(), 'selfhost-backup-drill-test-'))
  source = await startMariaDb()
  shop = await createShopDatabase(source)
  await dumpShop(source, path.join(workRoot, 'shop.sql'))
  goodDumpSql = await readFile(path.join(workRoot, 'shop.sql'), 'utf8')
}, 120_000)

afterAll(async () => {
  await source?.stop()
  if (workRoot) await rm(workRoot, { recursive: true, force: true })
})

describe('a drill over good parts', () => {
  test('passes a SQLite snapshot, a SQL dump and a tarball, then stops its server and removes its temp files', async () => {
    const db = path.join(workRoot, 'good.sqlite')
    const tables = await makeSqliteDb(db)
    const tree = path.join(workRoot, 'good-tree')
    await mkdir(path.join(tree, 'sub dir', 'locked'), { recursive: true })
    await writeFile(path.join(tree, 'plain.txt'), 'hello\n')
    await writeFile(path.join(tree, 'sub dir', 'name -> with arrow'), 'x'.repeat(5000))
    await writeFile(path.join(tree, 'sub dir', 'new\nline'), '')
    await writeFile(path.join(tree, 'sub dir', 'locked', 'inside'), 'read-only parent')
    await link(path.join(tree, 'plain.txt'), path.join(tree, 'sub dir', 'hard'))
    await symlink('../plain.txt', path.join(tree, 'sub dir', 'relative-link'))
    await chmod(path.join(tree, 'sub dir', 'locked'), 0o555)
    await run('bash', ['-c', 'tar -C "$1" -cf "$2" .', 'tar', tree, path.join(workRoot, 'good.tar')])

    const started: ThrowawayMariaDb[] = []
    const report = await drill(
      [await partFrom('tabby-db', 'sqlite', db, 'zstd', { tables }), await dumpPart('db-shop', goodDumpSql), await partFrom('data', 'tar', path.join(workRoot, 'good.tar'), 'gzip')],
      started
    )
    expect(report.parts.map(part => [part.name, part.ok, part.detail])).toEqual([
      ['tabby-db', true, 'integrity_check ok; 2 tables, 3040 rows, as in the manifest'],
      ['db-shop', true, 'imported into a throwaway MariaDB: 4 tables, 125 rows, 1 routines, 1 triggers, 1 events, 1 views, as in the manifest'],
      ['data', true, '4 files (5022 bytes), 3 directories, 1 symlinks, 1 hard links: listed safe, symlinks resolve inside, every byte read through gzip with its checksum']
    ])
    expect(report.ok).toBe(true)
    expect(started).toHaveLength(1)
  })

  test('starts no database server when there is no dump to load', async () => {
    const db = path.join(workRoot, 'alone.sqlite')
    const tables = await makeSqliteDb(db)
    const started: ThrowawayMariaDb[] = []
    const report = await drill([await partFrom('tabby-db', 'sqlite', db, 'none', { tables })], started)
    expect(report.ok).toBe(true)
    expect(started).toHaveLength(0)
  })

  test('fails every dump with the reason when no server can be started, and still checks the other parts', async () => {
    const db = path.join(workRoot, 'beside.sqlite')
    const tables = await makeSqliteDb(db)
    let attempts = 0
    const report = await drillParts([await dumpPart('db-one', goodDumpSql), await partFrom('tabby-db', 'sqlite', db, 'zstd', { tables }), await dumpPart('db-two', goodDumpSql)], {
      logger,
      workRoot,
      startDatabase: async () => {
        attempts++
        throw new Error('no mariadbd here')
      }
    })
    expect(report.parts.map(part => [part.name, part.ok])).toEqual([
      ['db-one', false],
      ['tabby-db', true],
      ['db-two', false]
    ])
    expect(report.parts[0].detail).toBe('no mariadbd here')
    expect(report.ok).toBe(false)
    expect(attempts).toBe(1)
  })

  test('reports an empty list of parts as not verified', async () => {
    expect((await drill([])).ok).toBe(false)
  })
})

describe('SQL dumps', () => {
  test('warmUp starts the server before the first dump, which then uses it; close stops it and removes its files', async () => {
    const started: ThrowawayMariaDb[] = []
    const session = new DrillSession({ logger, workRoot, startDatabase: watchedStart(started) })
    try {
      session.warmUp()
      await waitUntil(() => started.length === 1)
      const part = await dumpPart('db-shop', goodDumpSql)
      const finish = await session.watch(part.record, createReadStream(part.path))
      expect(await finish(part.record)).toMatchObject({ name: 'db-shop', ok: true })
      expect(started).toHaveLength(1)
    } finally {
      await session.close()
    }
    expect(isRunning(started[0].pid)).toBe(false)
    expect((await readdir(workRoot)).filter(name => name.startsWith('drill-'))).toEqual([])
  })

  test('fails a dump cut at a random byte: the client rejects the broken statement and the trailer is missing', async () => {
    // A random byte inside the big INSERT: a cut between statements or inside a comment imports without
    // an error, which the next test covers; here the client itself must fail as well.
    const start = goodDumpSql.indexOf('INSERT INTO `orders`')
    const end = goodDumpSql.indexOf(';\n', start)
    expect(start).toBeGreaterThan(0)
    const random = start + 1 + Math.floor(Math.random() * (end - start - 1))
    // Right after a row's closing parenthesis the rest is a shorter INSERT that is still valid SQL (the client
    // runs a last statement without its semicolon): one byte earlier the row is unfinished.
    const cut = goodDumpSql[random - 1] === ')' ? random - 1 : random
    const started: ThrowawayMariaDb[] = []
    const part = onlyPart(await drill([await dumpPart('db-shop', goodDumpSql.slice(0, cut))], started))
    expect(part.ok).toBe(false)
    expect(part.detail).toMatch(/does not end with the "-- Dump completed" trailer/)
    expect(part.detail).toMatch(/importing it failed: ERROR 1064 \(42000\) at line \d+: You have an error in your SQL syntax/)
    // The client echoes the broken statement; its row data must not reach the report (logs, summary, manifest).
    expect(part.detail).not.toMatch(/odd text/)
    expect(logged.join('\n')).not.toMatch(/odd text/)
    // The import failed, yet the server the drill started is gone (checked in drill()).
    expect(started).toHaveLength(1)
  })

  test('fails a dump cut exactly at a statement boundary even though it imports cleanly', async () => {
    const cut = goodDumpSql.lastIndexOf('-- Dump completed')
    expect(cut).toBeGreaterThan(0)
    const part = onlyPart(await drill([await dumpPart('db-shop', goodDumpSql.slice(0, cut))]))
    expect(part.ok).toBe(false)
    expect(part.detail).toBe('it does not end with the "-- Dump completed" trailer, so it is truncated')
  })

  test('fails a complete dump that lacks rows the manifest counted', async () => {
    await source.query('DELETE FROM orders WHERE id > 20;', 'shop')
    const short = path.join(workRoot, 'short.sql')
    await dumpShop(source, short)
    const part = onlyPart(await drill([await dumpPart('db-shop', await readFile(short, 'utf8'))]))
    expect(part.ok).toBe(false)
    expect(part.detail).toMatch(/table orders has 20 rows, the backup had 120/)
    expect(part.detail).not.toMatch(/trailer/)
  })

  test('accepts a count inside the range the manifest recorded for a table written during the dump', async () => {
    const file = path.join(workRoot, 'ranged.sql')
    await writeFile(file, goodDumpSql)
    const part = await partFrom('db-shop', 'sql-dump', file, 'zstd', {
      tables: { ...shop.tables, orders: 110 },
      details: { database: 'shop', objects: shop.objects, rowCountRanges: { orders: [110, 125] } }
    })
    expect(onlyPart(await drill([part])).ok).toBe(true)
  })

  test('fails a dump whose routines, triggers, events or views differ from the manifest', async () => {
    const part = onlyPart(await drill([await dumpPart('db-shop', goodDumpSql, shop.tables, { ...shop.objects, triggers: 2, views: 0 })]))
    expect(part.ok).toBe(false)
    expect(part.detail).toMatch(/2 triggers expected, 1 found; 0 views expected, 1 found/)
  })
})

describe('SQLite snapshots', () => {
  test('fails a snapshot with a corrupted page', async () => {
    const db = path.join(workRoot, 'corrupt.sqlite')
    const tables = await makeSqliteDb(db)
    await corruptMiddlePage(db)
    const part = onlyPart(await drill([await partFrom('tabby-db', 'sqlite', db, 'zstd', { tables })]))
    expect(part.ok).toBe(false)
    expect(part.detail).toMatch(/integrity_check of .* failed|malformed/)
  })

  test('fails a snapshot whose row counts differ from the manifest, naming the table', async () => {
    const db = path.join(workRoot, 'counts.sqlite')
    const tables = await makeSqliteDb(db)
    const part = onlyPart(await drill([await partFrom('tabby-db', 'sqlite', db, 'zstd', { tables: { ...tables, 'audit log': 3001 } })]))
    expect(part.ok).toBe(false)
    expect(part.detail).toMatch(/table audit log has 3000 rows, the backup had 3001/)
  })
})

describe('tarballs', () => {
  const innocent = { name: 'data/ok.txt', type: 'file' as const, data: 'fine' }
  const cases = [
    ['a ../ entry', { name: 'data/../../escaped.txt', type: 'file' as const, data: 'evil' }, /"data\/\.\.\/\.\.\/escaped\.txt": path with a '\.\.' component/],
    ['an absolute path', { name: '/tmp/selfhost-backup-absolute.txt', type: 'file' as const, data: 'evil' }, /"\/tmp\/selfhost-backup-absolute\.txt": absolute path/],
    ['an absolute symlink', { name: 'data/passwd', type: 'symlink' as const, target: '/etc/passwd' }, /"data\/passwd": symlink to the absolute path/],
    ['a symlink leaving the archive', { name: 'data/up', type: 'symlink' as const, target: '../../outside' }, /"data\/up": symlink "\.\.\/\.\.\/outside" points outside the archive/],
    ['a hard link to an absolute path', { name: 'data/shadow', type: 'hardlink' as const, target: '/etc/shadow' }, /"data\/shadow": hard link to the absolute path/],
    ['a hard link outside the archive', { name: 'data/h', type: 'hardlink' as const, target: '../outside' }, /"data\/h": hard link to "\.\.\/outside" outside the archive/],
    ['a device file', { name: 'data/null', type: 'chardev' as const }, /"data\/null": device file/],
    ['a FIFO', { name: 'data/pipe', type: 'fifo' as const }, /"data\/pipe": FIFO/]
  ] as const

  test.each(cases)('rejects a tarball with %s before extracting anything, naming the entry', async (_what, member, expected) => {
    const file = path.join(workRoot, 'bad.tar')
    await craftTar(file, [innocent, member])
    const part = onlyPart(await drill([await partFrom('data', 'tar', file, 'zstd')]))
    expect(part.ok).toBe(false)
    expect(part.detail).toMatch(/^1 unsafe entry: /)
    expect(part.detail).toMatch(expected)
    await expect(access(path.join(workRoot, 'escaped.txt'))).rejects.toThrow()
    await expect(access('/tmp/selfhost-backup-absolute.txt')).rejects.toThrow()
  })

  test('rejects symlinks that only escape in combination (a -> ., b -> a/..)', async () => {
    const file = path.join(workRoot, 'chain.tar')
    await craftTar(file, [innocent, { name: 'a', type: 'symlink', target: '.' }, { name: 'b', type: 'symlink', target: 'a/..' }])
    const part = onlyPart(await drill([await partFrom('data', 'tar', file, 'zstd')]))
    expect(part.ok).toBe(false)
    expect(part.detail).toBe('symlinks resolve outside the archive: "b"')
  })

  test('fails a tarball whose compressed bytes were changed, by the checksum of the compression (nothing is extracted to see it)', async () => {
    const tree = path.join(workRoot, 'flip-tree')
    await mkdir(tree, { recursive: true })
    await writeFile(path.join(tree, 'random.bin'), randomBytes(300_000))
    const plain = path.join(workRoot, 'flip.tar')
    await run('tar', ['-C', tree, '-cf', plain, '.'])
    const built = await partFrom('data', 'tar', plain, 'zstd')
    const bytes = await readFile(built.path)
    bytes[Math.floor(bytes.length / 2)] ^= 0x55
    await writeFile(built.path, bytes)
    const part = onlyPart(await drill([built]))
    expect(part.ok).toBe(false)
    expect(part.detail).toMatch(/Listing the tarball failed .*(checksum|[Cc]orrupt|Data corruption)/)
  })

  test('fails a truncated tarball', async () => {
    const tree = path.join(workRoot, 'trunc-tree')
    await mkdir(tree, { recursive: true })
    await writeFile(path.join(tree, 'big.bin'), Buffer.alloc(200_000, 7))
    const full = path.join(workRoot, 'full.tar')
    await run('tar', ['-C', tree, '-cf', full, '.'])
    const cut = path.join(workRoot, 'cut.tar')
    await copyFile(full, cut)
    await writeFile(cut, (await readFile(full)).subarray(0, 100_000))
    const part = onlyPart(await drill([await partFrom('data', 'tar', cut, 'zstd')]))
    expect(part.ok).toBe(false)
    expect(part.detail).toMatch(/Unexpected EOF/)
  })
})

describe("the throwaway server's datadir", () => {
  const inventory = (server: ThrowawayMariaDb) => runSql(local, server.admin, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'sys'; SELECT COUNT(*) FROM mysql.help_topic;")

  test("is built from the server package's system-table scripts, without the help tables and the sys schema", async () => {
    const server = await startThrowawayMariaDb(workRoot, logger)
    try {
      expect((await inventory(server)).trim().split('\n')).toEqual(['0', '0'])
      expect(await importedRows(server)).toBe('3')
    } finally {
      await server.stop()
    }
  })

  test('is built by mariadb-install-db when the scripts are not found, and serves the drill the same', async () => {
    const empty = await mkdtemp(path.join(workRoot, 'no-scripts-'))
    expect(await systemTablesSql('/usr/sbin/mariadbd', [empty])).toBeUndefined()
    const server = await startThrowawayMariaDb(workRoot, logger, { systemTableDirectories: [empty] })
    try {
      const [sys, helpTopics] = (await inventory(server)).trim().split('\n')
      expect([sys, Number(helpTopics) > 0]).toEqual(['1', true])
      expect(await importedRows(server)).toBe('3')
    } finally {
      await server.stop()
    }
  })

  /** A dump's load through the confined account works on either datadir. */
  async function importedRows(server: ThrowawayMariaDb): Promise<string> {
    const account = await server.importAccount('probe')
    await runSql(local, server.admin, 'CREATE DATABASE probe;')
    await runSql(local, account, 'CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1), (2), (3);', 'probe')
    return (await runSql(local, account, 'SELECT COUNT(*) FROM t;', 'probe')).trim()
  }
})

describe('installing MariaDB on a runner that lacks it', () => {
  test('builds a valid script that keeps services from starting and never removes a MySQL server unless allowed', async () => {
    for (const allowed of [false, true]) {
      const text = installScript(allowed)
      await run('bash', ['-n', '-c', text])
      expect(text).toContain("printf '#!/bin/sh\\nexit 101\\n' | sudo -n tee /usr/sbin/policy-rc.d")
      expect(text).toContain('trap restore_policy EXIT')
      expect(text.includes('--no-remove')).toBe(!allowed)
    }
  })
})
