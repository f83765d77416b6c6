/**
 * Builds real backup parts for the drill tests with the real tools: sqlite3, mariadb-dump, tar (or
 * python's tarfile for members GNU tar refuses to create) and zstd. Each helper returns the part file
 * and a PartRecord like the one a backup would have written.
 */
import { createReadStream } from 'node:fs'
import { readFile, stat, writeFile } from 'node:fs/promises'
import type { Compression, PartKind, PartRecord } from '../../src/kernel/manifest.js'
import { DrillSession, drillReport, type DrillContext, type DrillPartResult, type DrillReport } from '../../src/pipeline/drill.js'
import { DUMP_OPTIONS } from '../../src/sources/mysql.js'
import type { MariaDbServer } from './mariadb.js'
import { runCommand } from './sshd.js'

export interface BuiltPart {
  record: PartRecord
  path: string
}

/** The drill over part files already on the runner, one after another: the backup's checks, fed from files. */
export async function drillParts(parts: BuiltPart[], context: DrillContext): Promise<DrillReport> {
  const session = new DrillSession(context)
  const results: DrillPartResult[] = []
  try {
    for (const part of parts) {
      const finish = await session.watch(part.record, createReadStream(part.path))
      results.push(await finish(part.record))
    }
  } finally {
    await session.close()
  }
  return drillReport(results)
}

export async function run(file: string, args: string[], input = ''): Promise<string> {
  const result = await runCommand(file, args, input)
  if (result.code !== 0) throw new Error(`${file} ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`)
  return result.stdout
}

export async function compress(source: string, compression: Compression): Promise<string> {
  const target = `${source}${{ zstd: '.zst', gzip: '.gz', none: '' }[compression]}`
  if (compression === 'zstd') await run('zstd', ['-q', '-f', '-o', target, source])
  if (compression === 'gzip') await run('bash', ['-c', 'gzip -c -- "$1" > "$2"', 'gzip', source, target])
  return target
}

export async function partFrom(name: string, kind: PartKind, file: string, compression: Compression, extra: Partial<PartRecord> = {}): Promise<BuiltPart> {
  const compressed = await compress(file, compression)
  const bytes = (await stat(compressed)).size
  return { path: compressed, record: { name, file: `test.${name}`, kind, compression, bytes, sha256: '0'.repeat(64), durationMs: 0, ...extra } }
}

/** A SQLite database large enough (hundreds of 4 KiB pages) that overwriting one in the middle hits table data. */
export async function makeSqliteDb(file: string): Promise<Record<string, number>> {
  await run(
    'sqlite3',
    [file],
    [
      'PRAGMA page_size = 4096;',
      'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);',
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40) INSERT INTO users SELECT i, 'user ' || i FROM n;",
      'CREATE TABLE "audit log" (id INTEGER PRIMARY KEY, body TEXT);',
      'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) INSERT INTO "audit log" SELECT i, printf(\'%0200d\', i) FROM n;',
      'CREATE INDEX audit_body ON "audit log"(body);',
      ''
    ].join('\n')
  )
  return { users: 40, 'audit log': 3000 }
}

/** Overwrites one whole page in the middle of the file, as a bad disk sector or a torn copy would. */
export async function corruptMiddlePage(file: string): Promise<void> {
  const bytes = await readFile(file)
  const pages = bytes.length / 4096
  const page = Math.floor(pages / 2)
  bytes.fill(0xa5, page * 4096, (page + 1) * 4096)
  await writeFile(file, bytes)
}

/** A small database with every object kind the manifest counts. */
export async function createShopDatabase(server: MariaDbServer): Promise<{ tables: Record<string, number>; objects: Record<string, number> }> {
  await server.query(
    [
      'DROP DATABASE IF EXISTS shop; CREATE DATABASE shop; USE shop;',
      'CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(50)) ENGINE=InnoDB;',
      "INSERT INTO customers VALUES (1, 'Ada'), (2, 'Grace'), (3, 'Linus'), (4, 'Ken'), (5, 'Barbara');",
      'CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, customer INT, note TEXT) ENGINE=InnoDB;',
      "INSERT INTO orders (customer, note) SELECT 1 + seq % 5, CONCAT('order; with -- odd text ', seq) FROM seq_1_to_120;",
      'CREATE TABLE empty_table (id INT PRIMARY KEY) ENGINE=InnoDB;',
      'CREATE TABLE order_audit (id INT AUTO_INCREMENT PRIMARY KEY, order_id INT) ENGINE=InnoDB;',
      'CREATE VIEW big_orders AS SELECT * FROM orders WHERE id > 100;',
      'CREATE TRIGGER orders_audit AFTER INSERT ON orders FOR EACH ROW INSERT INTO order_audit (order_id) VALUES (NEW.id);',
      'CREATE PROCEDURE order_count(OUT total INT) SELECT COUNT(*) INTO total FROM orders;',
      'CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM orders;',
      ''
    ].join('\n')
  )
  return { tables: { customers: 5, orders: 120, empty_table: 0, order_audit: 0 }, objects: { routines: 1, triggers: 1, events: 1, views: 1 } }
}

/** A real mariadb-dump with the product's own options, written uncompressed to `file`. */
export async function dumpShop(server: MariaDbServer, file: string): Promise<void> {
  const sql = await run('mariadb-dump', [`--defaults-extra-file=${server.clientOptionFile}`, ...DUMP_OPTIONS, '--', 'shop'])
  await writeFile(file, sql)
}

/** Builds a tar archive with python's tarfile, which writes members GNU tar would refuse or rewrite. */
export async function craftTar(file: string, members: { name: string; type: 'file' | 'symlink' | 'hardlink' | 'chardev' | 'fifo'; data?: string; target?: string }[]): Promise<void> {
  const program = [
    'import io, json, sys, tarfile',
    'members = json.loads(sys.stdin.read())',
    "with tarfile.open(sys.argv[1], 'w', format=tarfile.GNU_FORMAT) as archive:",
    '    for m in members:',
    "        info = tarfile.TarInfo(m['name'])",
    "        data = m.get('data', '').encode()",
    "        info.type = {'file': tarfile.REGTYPE, 'symlink': tarfile.SYMTYPE, 'hardlink': tarfile.LNKTYPE, 'chardev': tarfile.CHRTYPE, 'fifo': tarfile.FIFOTYPE}[m['type']]",
    "        info.linkname = m.get('target', '')",
    "        if m['type'] == 'chardev': info.devmajor, info.devminor = 1, 3",
    "        info.size = len(data) if m['type'] == 'file' else 0",
    "        archive.addfile(info, io.BytesIO(data) if m['type'] == 'file' else None)"
  ].join('\n')
  await run('python3', ['-c', program, file], JSON.stringify(members))
}
