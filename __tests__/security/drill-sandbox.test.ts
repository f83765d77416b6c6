/**
 * Issue 10, item 7: the restore drill loads SQL dumps from a host that may be compromised into a throwaway
 * MariaDB on the runner. Forged dumps (compressed like real parts, with a valid trailer) that read or write
 * runner files, run shell commands or borrow other accounts' rights are refused or have no effect: no file
 * appears on the runner and no marker reaches a table. While they load, the server has no TCP socket and,
 * on a root runner, runs as another user.
 */
import { randomBytes } from 'node:crypto'
import { chmod, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runSql } from '../../src/sources/mysql.js'
import { LocalTransport } from '../../src/transport/local.js'
import type { DrillReport } from '../../src/pipeline/drill.js'
import { startThrowawayMariaDb, type ThrowawayMariaDb } from '../../src/pipeline/throwaway-mariadb.js'
import { drillParts, partFrom, run, type BuiltPart } from '../support/drill-parts.js'
import { recordCase } from '../support/fault-report.js'
import type { Logger } from '../../src/kernel/log.js'
import { recordingLogger } from '../support/transport-probes.js'

const logger = recordingLogger()
const runner = new LocalTransport({ sudo: false })
const asRoot = process.getuid?.() === 0

/** What /proc and the server itself said about the server while a forged dump was about to load. */
interface Observation {
  uids: number[]
  socketInodes: Set<string>
  tcpInodes: Set<string>
  unixSocketInode: string | undefined
  settings: string
  filesDirectory: { mode: number; entries: string[] }
}

let workRoot: string
/** A directory every user may write to and read from: only the sandbox keeps the server out of it. */
let outside: string
let marker: string
let markerFile: string
let dumpFile: string
let report: DrillReport
let serverDirectory: string
let nobodyUid: number
const observations: Observation[] = []

interface ForgedCase {
  name: string
  statements: () => string[]
  /** A pattern for the refusal, or null when the statement is accepted but must have had no effect. */
  refused: RegExp | null
  /** Runner paths the dump aims at, which must not exist afterwards. */
  targets?: () => string[]
  tables?: Record<string, number>
  database?: string
}

const noFile = /ERROR 1227 \(42000\) at line \d+: Access denied; you need \(at least one of\) the FILE privilege\(s\) for this operation/
const cases: ForgedCase[] = [
  {
    name: 'SELECT INTO OUTFILE a runner path',
    statements: () => [`SELECT 'x' INTO OUTFILE '${path.join(outside, 'outfile.txt')}';`],
    refused: noFile,
    targets: () => [path.join(outside, 'outfile.txt')]
  },
  { name: 'SELECT INTO DUMPFILE under /tmp', statements: () => [`SELECT 'x' INTO DUMPFILE '${dumpFile}';`], refused: noFile, targets: () => [dumpFile] },
  {
    name: 'LOAD DATA INFILE a runner file',
    statements: () => [`LOAD DATA INFILE '${markerFile}' INTO TABLE t;`],
    refused: /ERROR 1045 \(28000\) at line \d+: Access denied for user 'drill_\d+'@'localhost'/
  },
  {
    name: 'LOAD DATA LOCAL INFILE a runner file',
    statements: () => [`LOAD DATA LOCAL INFILE '${markerFile}' INTO TABLE t;`],
    refused: /ERROR 4166 \(HY000\) at line \d+: The used command is not allowed because the MariaDB server or client has disabled the local infile capability/
  },
  // Accepted, but LOAD_FILE() reads nothing: a row would only be inserted if it had, and the manifest says 0.
  { name: 'LOAD_FILE() of a runner file', statements: () => [`INSERT INTO t SELECT LOAD_FILE('${markerFile}') FROM DUAL WHERE LOAD_FILE('${markerFile}') IS NOT NULL;`], refused: null },
  {
    name: 'general log pointed at a runner path',
    statements: () => [`SET GLOBAL general_log_file = '${path.join(outside, 'general.log')}';`, 'SET GLOBAL general_log = ON;'],
    targets: () => [path.join(outside, 'general.log')],
    refused: /ERROR 1227 \(42000\) at line \d+: Access denied; you need \(at least one of\) the SUPER privilege\(s\) for this operation/
  },
  {
    name: 'a procedure defined for root that turns the general log on',
    statements: () => [`CREATE DEFINER='root'@'localhost' PROCEDURE p() SET GLOBAL general_log_file = '${path.join(outside, 'definer.log')}';`, 'CALL p();'],
    targets: () => [path.join(outside, 'definer.log')],
    refused: /ERROR 1449 \(HY000\) at line \d+: The user specified as a definer \('root'@'localhost'\) does not exist/
  },
  // Accepted with a warning: the table lands in the datadir, nothing in the named directory.
  {
    name: 'a table with DATA DIRECTORY on a runner path',
    statements: () => [`CREATE TABLE u (a INT) ENGINE=InnoDB DATA DIRECTORY='${outside}';`],
    refused: null,
    tables: { t: 0, u: 0 },
    targets: () => [path.join(outside, 'forged_db')]
  },
  {
    name: 'a plugin that opens network connections',
    statements: () => ["INSTALL SONAME 'ha_federatedx';"],
    refused: /ERROR 1142 \(42000\) at line \d+: INSERT command denied to user 'drill_\d+'@'localhost' for table `mysql`\.`plugin`/
  },
  {
    name: 'a shell command through the client',
    statements: () => [`\\! touch ${path.join(outside, 'shell.txt')}`],
    refused: /ERROR at line \d+: Unknown command '\\!'\./,
    targets: () => [path.join(outside, 'shell.txt')]
  },
  { name: 'a dump named after the grant tables', statements: () => [], database: 'mysql', refused: /the drill does not load a dump into a database named "mysql"/ }
]

function forgedDump(statements: string[]): string {
  return ['-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB', '/*!40101 SET NAMES utf8mb4 */;', 'CREATE TABLE `t` (`a` TEXT);', ...statements, '-- Dump completed on 2026-01-01  0:00:00', ''].join('\n')
}

async function socketInodesOf(pid: number): Promise<Set<string>> {
  const links = await Promise.all((await readdir(`/proc/${pid}/fd`)).map(fd => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')))
  return new Set(links.map(link => /^socket:\[(\d+)\]$/.exec(link)?.[1]).filter((inode): inode is string => inode !== undefined))
}

/** Inodes of every TCP socket on the machine, listening or not (column 10 of /proc/net/tcp and tcp6). */
async function tcpInodes(): Promise<Set<string>> {
  const tables = await Promise.all(['/proc/net/tcp', '/proc/net/tcp6'].map(file => readFile(file, 'utf8').catch(() => '')))
  return new Set(
    tables.flatMap(table =>
      table
        .split('\n')
        .slice(1)
        .map(line => line.trim().split(/\s+/)[9])
        .filter(Boolean)
    )
  )
}

async function observe(server: ThrowawayMariaDb): Promise<Observation> {
  const status = await readFile(`/proc/${server.pid}/status`, 'utf8')
  const uids = (/^Uid:\s+(.*)$/m.exec(status)?.[1] ?? '').split(/\s+/).map(Number)
  const unix = (await readFile('/proc/net/unix', 'utf8')).split('\n').find(line => line.endsWith(` ${server.socket}`))
  const filesDir = path.join(serverDirectory, 'files')
  return {
    uids,
    socketInodes: await socketInodesOf(server.pid),
    tcpInodes: await tcpInodes(),
    unixSocketInode: unix?.trim().split(/\s+/)[6],
    settings: (await runSql(runner, server.admin, 'SELECT @@secure_file_priv, @@local_infile, @@skip_networking, @@have_symlink;')).trim(),
    filesDirectory: { mode: (await stat(filesDir)).mode & 0o777, entries: await readdir(filesDir) }
  }
}

/** The real server, watched each time the drill asks it for an account to load a dump with. */
async function watchedStart(root: string, log: Logger): Promise<ThrowawayMariaDb> {
  const server = await startThrowawayMariaDb(root, log)
  serverDirectory = path.dirname(server.socket)
  return {
    ...server,
    importAccount: async database => {
      observations.push(await observe(server))
      return server.importAccount(database)
    }
  }
}

beforeAll(async () => {
  nobodyUid = Number((await run('id', ['-u', 'nobody'])).trim())
  workRoot = await mkdtemp(path.join(tmpdir(), 'selfhost-backup-drill-sandbox-'))
  // Reachable by the server's user, so it keeps its files here as it does under the runner's temp directory.
  await chmod(workRoot, 0o711)
  outside = await mkdtemp(path.join(tmpdir(), 'selfhost-backup-drill-outside-'))
  await chmod(outside, 0o777)
  marker = `selfhost-marker-${randomBytes(8).toString('hex')}`
  markerFile = path.join(outside, 'marker.txt')
  await writeFile(markerFile, `${marker}\n`, { mode: 0o644 })
  dumpFile = path.join('/tmp', `selfhost-backup-dumpfile-${randomBytes(8).toString('hex')}`)
  const parts: BuiltPart[] = []
  for (const [index, forged] of cases.entries()) {
    const file = path.join(workRoot, `forged-${index}.sql`)
    await writeFile(file, forgedDump(forged.statements()))
    const details = { database: forged.database ?? 'forged_db', objects: { routines: 0, triggers: 0, events: 0, views: 0 }, rowCountRanges: {} }
    parts.push(await partFrom(`db-forged-${index}`, 'sql-dump', file, 'zstd', { tables: forged.tables ?? { t: 0 }, details }))
  }
  report = await drillParts(parts, { logger, workRoot, startDatabase: watchedStart })
}, 120_000)

afterAll(async () => {
  await rm(dumpFile, { force: true })
  if (outside) await rm(outside, { recursive: true, force: true })
  if (workRoot) await rm(workRoot, { recursive: true, force: true })
})

describe.each(cases.map((forged, index) => [forged.name, forged, index] as const))('a forged dump with %s', (name, forged, index) => {
  test(forged.refused ? 'fails the drill with the refusal and leaves the runner untouched' : 'has no effect and leaves the runner untouched', () => {
    let outcome: 'passed' | 'failed' = 'failed'
    try {
      const part = report.parts[index]
      expect(part.name).toBe(`db-forged-${index}`)
      if (forged.refused) {
        expect(part.ok).toBe(false)
        expect(part.detail).toMatch(forged.refused)
      } else {
        // Any row in t (a marker read by LOAD_FILE) or a missing table would fail the row counts.
        expect([part.ok, part.detail]).toEqual([
          true,
          `imported into a throwaway MariaDB: ${Object.keys(forged.tables ?? { t: 0 }).length} tables, 0 rows, 0 routines, 0 triggers, 0 events, 0 views, as in the manifest`
        ])
      }
      for (const target of forged.targets?.() ?? []) expect([target, existsSync(target)]).toEqual([target, false])
      outcome = 'passed'
    } finally {
      recordCase({ suite: 'security/drill-sandbox', case: name, kind: 'forged', outcome })
    }
  })
})

test('the drill fails as a whole, and nothing outside its own directory was written or read into the logs', async () => {
  expect(report.ok).toBe(false)
  expect(report.parts).toHaveLength(cases.length)
  expect(await readdir(outside)).toEqual(['marker.txt'])
  expect(existsSync(dumpFile)).toBe(false)
  expect(logger.lines.join('\n')).not.toContain(marker)
  expect((await readdir(workRoot)).filter(name => name.startsWith('drill-'))).toEqual([])
})

test('the server kept its files under the drill directory and has no TCP socket, only its Unix socket', () => {
  expect(serverDirectory.startsWith(`${workRoot}/drill-`)).toBe(true)
  // One observation per dump: the drill asks for an import account for each, the refused name too.
  expect(observations).toHaveLength(cases.length)
  for (const seen of observations) {
    // The Unix socket is found among the pid's sockets: the same look would find a TCP one.
    expect(seen.unixSocketInode).toBeDefined()
    expect(seen.socketInodes.has(seen.unixSocketInode as string)).toBe(true)
    expect([...seen.socketInodes].filter(inode => seen.tcpInodes.has(inode))).toEqual([])
    expect(seen.settings).toBe(`${path.join(serverDirectory, 'files')}/\t0\t1\tDISABLED`)
    expect(seen.filesDirectory).toEqual({ mode: 0o700, entries: [] })
  }
})

test(asRoot ? 'the server ran as an unprivileged user, not as the root runner' : 'the server ran as the runner user', () => {
  const expected = asRoot ? nobodyUid : process.getuid?.()
  expect(expected).not.toBe(asRoot ? 0 : undefined)
  for (const seen of observations) expect(seen.uids).toEqual([expected, expected, expected, expected])
})
