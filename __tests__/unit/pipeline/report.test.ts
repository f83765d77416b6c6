import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import type { BackupResult } from '../../../src/pipeline/backup.js'
import type { Logger } from '../../../src/kernel/log.js'
import { MANIFEST_FORMAT, newBackupId, type Manifest } from '../../../src/kernel/manifest.js'
import { backupSummary, restoreSummary } from '../../../src/pipeline/report.js'
import type { RestoreResult } from '../../../src/pipeline/restore.js'
import { readWithProgress } from '../../../src/kernel/progress.js'

const backupId = newBackupId('tabby', 'tabby.example.com', new Date('2026-11-23T02:00:00Z'))
const manifest: Manifest = {
  format: MANIFEST_FORMAT,
  backupId,
  app: 'tabby',
  host: 'deploy@tabby.example.com:22',
  hostId: 'tabby.example.com',
  startedAt: '2026-11-23T02:00:00.000Z',
  finishedAt: '2026-11-23T02:00:42.500Z',
  tool: { name: 'selfhost-backup', version: '0.1.0' },
  options: {},
  parts: [
    { name: 'db', file: `${backupId}.db.sqlite.zst`, kind: 'sqlite', compression: 'zstd', bytes: 2048, sha256: 'a'.repeat(64), durationMs: 1500 },
    { name: 'home', file: `${backupId}.home.tar.zst`, kind: 'tar', compression: 'zstd', bytes: 5 * 1024 * 1024, sha256: 'b'.repeat(64), durationMs: 12_300 }
  ],
  verification: {
    method: 'drill',
    ok: true,
    parts: [
      { name: 'db', ok: true, detail: 'integrity ok' },
      { name: 'home', ok: true, detail: '3 files' }
    ]
  }
} as Manifest

describe('job summaries', () => {
  it('a backup summary names every part with its size, time and sha256, the total and the drill result', () => {
    const result = {
      manifest,
      manifestPath: '/tmp/m.json',
      saved: { items: [], where: 'artifacts of run 7', manifestPath: '/tmp/m.json' },
      bytes: 2048 + 5 * 1024 * 1024,
      verified: true
    } as BackupResult
    const text = backupSummary(result)
    expect(text).toContain(`## ✅ Backup ${backupId}`)
    expect(text).toContain('2 parts, 5.0 MiB in 42.5 s, stored in artifacts of run 7')
    expect(text).toContain(`| db | ${backupId}.db.sqlite.zst | 2.0 KiB | 1.5 s | \`${'a'.repeat(64)}\` |`)
    expect(text).toContain(`| home | ${backupId}.home.tar.zst | 5.0 MiB | 12.3 s | \`${'b'.repeat(64)}\` |`)
    expect(text).toContain('**Verification (drill)**: passed')
  })

  it('a restore summary gives the time to verify and to restore, every verified sha256, the result and the safety copy', () => {
    const result: RestoreResult = {
      backupId,
      manifest,
      dryRun: false,
      plan: ['db: replace'],
      report: ['db restored'],
      versions: 'The data belongs to Tabby 0.30.1 (image tabbyml/tabby:0.30.1, schema 50); the host runs 0.30.1 (image tabbyml/tabby:0.30.1, schema 50).',
      safetyCopy: { files: ['/srv/tabby/.selfhost-backup-replaced-20261206T000000Z-abcdef-1'], databases: { dir: '/srv/selfhost-backup-safety/x', backupId: 'x' }, stamp: '20261206T000000Z-abcdef' },
      seconds: { verify: 3.25, host: 7.5 }
    }
    const text = restoreSummary(result)
    expect(text).toContain(`## ✅ Restored ${backupId}`)
    expect(text).toContain('Downloaded and verified in 3.3 s; the host was restored in 7.5 s.')
    expect(text).toContain(`| home | 5.0 MiB | \`${'b'.repeat(64)}\` |`)
    expect(text).toContain('- db restored')
    expect(text).toContain('`/srv/selfhost-backup-safety/x`')
    expect(text).toContain('- `/srv/tabby/.selfhost-backup-replaced-20261206T000000Z-abcdef-1`')
    expect(text).toContain('(`20261206T000000Z-abcdef`)')
    const dry = restoreSummary({ ...result, dryRun: true, report: [], safetyCopy: undefined, seconds: { verify: 1, host: 0 } })
    expect(dry).toContain('dry-run: nothing changed')
    expect(dry).not.toContain('the host was restored')
  })
})

describe('readWithProgress', () => {
  it('streams the file unchanged, even when it is consumed only later, and logs bytes so far with a throughput', async () => {
    const dir = await mkdtemp(join(os.tmpdir(), 'selfhost-backup-progress-'))
    try {
      const file = join(dir, 'part')
      const content = Buffer.alloc(3 * 1024 * 1024, 7)
      await writeFile(file, content)
      const lines: string[] = []
      const logger = { info: (line: string) => lines.push(line) } as unknown as Logger
      const chunks: Buffer[] = []
      const stream = readWithProgress(file, 'Restoring home', logger, 0)
      // A restore opens the part, then drops and re-creates the database before it reads: nothing may be lost meanwhile.
      await new Promise(resolve => setTimeout(resolve, 200))
      for await (const chunk of stream) chunks.push(chunk as Buffer)
      expect(Buffer.concat(chunks).equals(content)).toBe(true)
      expect(lines.length).toBeGreaterThan(0)
      expect(lines.at(-1)).toMatch(/^Restoring home: 3\.0 MiB so far \([\d.]+ [KMG]?i?B\/s\)$/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
