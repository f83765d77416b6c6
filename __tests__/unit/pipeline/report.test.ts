import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import type { BackupResult } from '../../../src/pipeline/backup.js'
import type { Logger } from '../../../src/kernel/log.js'
import { MANIFEST_FORMAT, newBackupId, type Manifest } from '../../../src/kernel/manifest.js'
import { actionSummaryContext, backupSummary, RESTORE_ACTION_PLACEHOLDER, restoreSummary, type SummaryContext } from '../../../src/pipeline/report.js'
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
  it('a backup summary names every part with its size, time and shortened sha256, the total and the drill result', () => {
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
    expect(text).toContain(`| db | ${backupId}.db.sqlite.zst | 2.0 KiB | 1.5 s | \`${'a'.repeat(12)}\` |`)
    expect(text).toContain(`| home | ${backupId}.home.tar.zst | 5.0 MiB | 12.3 s | \`${'b'.repeat(12)}\` |`)
    expect(text).not.toContain('a'.repeat(13))
    expect(text).toContain('the manifest holds them in full')
    expect(text).toContain(`Backup id: \`${backupId}\``)
    expect(text).toContain('**Verification (drill)**: passed')
    // The CLI passes no context: no restore step, no links.
    expect(text).not.toContain('```yaml')
    expect(text).not.toContain('](')
  })

  it('a restore summary gives the time to verify and to restore, every verified sha256, the result and the safety copy', () => {
    const result: RestoreResult = {
      backupId,
      manifest,
      dryRun: false,
      plan: ['db: replace'],
      report: ['db restored'],
      versions: 'The data belongs to Tabby 0.30.1 (image tabbyml/tabby:0.30.1, schema 50); the host runs 0.30.1 (image tabbyml/tabby:0.30.1, schema 50).',
      safetyCopy: {
        files: ['/srv/tabby/.selfhost-backup-replaced-20261206T000000Z-abcdef-1'],
        databases: { dir: '/srv/selfhost-backup-safety/x', backupId: 'x' },
        keptDatabases: [],
        stamp: '20261206T000000Z-abcdef'
      },
      seconds: { verify: 3.25, host: 7.5 },
      parts: ['db', 'home']
    }
    const text = restoreSummary(result)
    expect(text).toContain(`## ✅ Restored ${backupId}`)
    expect(text).toContain('Downloaded and verified in 3.3 s; the host was restored in 7.5 s.')
    expect(text).toContain(`| home | 5.0 MiB | \`${'b'.repeat(12)}\` |`)
    expect(text).not.toContain('b'.repeat(13))
    expect(text).toContain('- db restored')
    expect(text).toContain('`/srv/selfhost-backup-safety/x`')
    expect(text).toContain('- `/srv/tabby/.selfhost-backup-replaced-20261206T000000Z-abcdef-1`')
    expect(text).toContain('(`20261206T000000Z-abcdef`)')
    // Only the parts this restore verified: with parts: db, home is not listed as verified.
    expect(restoreSummary({ ...result, parts: ['db'] })).not.toContain('| home |')
    const dry = restoreSummary({ ...result, dryRun: true, report: [], safetyCopy: undefined, seconds: { verify: 1, host: 0 } })
    expect(dry).toContain('dry-run: nothing changed')
    expect(dry).not.toContain('the host was restored')
  })
})

describe('the backup action summary', () => {
  const runUrl = 'https://github.com/octo/homelab/actions/runs/4242'
  const artifactUrl = (id: number): string => `${runUrl}/artifacts/${id}`
  const env = { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'octo/homelab', GITHUB_RUN_ID: '4242' }
  const chunked = { ...manifest.parts[1], chunks: [1, 2, 3].map(n => ({ file: `${manifest.parts[1].file}.chunk-000${n}`, bytes: 1, sha256: 'c'.repeat(64) })) }
  const stored = (parts: Manifest['parts'], extra: Partial<Manifest> = {}): BackupResult => {
    const files = [...parts.flatMap(part => (part.chunks ? part.chunks.map(chunk => chunk.file) : [part.file])), `${backupId}.manifest.json`]
    return {
      manifest: { ...manifest, parts, ...extra },
      manifestPath: '/tmp/m.json',
      saved: {
        items: files.map((name, index) => ({ name, id: String(100 + index), url: artifactUrl(100 + index) })),
        where: 'artifacts of workflow run 4242',
        manifestPath: '/tmp/m.json',
        expiresAt: '2026-11-30T02:00:01.000Z'
      },
      bytes: 1,
      verified: true
    }
  }
  const sshGithub = actionSummaryContext({ ...env, GITHUB_ACTION_REPOSITORY: 'octo/selfhost-backup', GITHUB_ACTION_REF: 'v1.2.0' }, { transport: 'ssh', store: 'github', signingKey: false })
  const yamlOf = (text: string): string => text.split('```yaml\n')[1]?.split('```')[0] ?? ''

  it('gives a restore step for this backup from this run, with secrets only as secrets.* references', () => {
    const text = backupSummary(stored(manifest.parts, { encryption: { format: 'age', recipients: ['age1…'] } }), sshGithub)
    expect(yamlOf(text).split('\n')).toEqual([
      '- uses: octo/selfhost-backup/restore@v1.2.0',
      '  with:',
      '    app: tabby',
      `    backup-id: ${backupId}`,
      '    run-id: 4242   # the run that stored it; the job needs permissions: actions: read',
      '    ssh-key: ${{ secrets.BACKUP_SSH_KEY }}',
      '    known-hosts: ${{ secrets.BACKUP_KNOWN_HOSTS }}',
      '    age-identity: ${{ secrets.BACKUP_AGE_IDENTITY }}',
      '    dry-run: true   # verifies and prints the plan; false restores',
      "    # plus the backup step's host, user, sudo and directory inputs",
      ''
    ])
  })

  it('links every artifact stored whole, the manifest and the run; a chunked part says how many chunks; the expiry is given', () => {
    const text = backupSummary(stored([manifest.parts[0], chunked]), sshGithub)
    expect(text).toContain(`| db | [${backupId}.db.sqlite.zst](${artifactUrl(100)}) | 2.0 KiB |`)
    expect(text).toContain(`| home | ${backupId}.home.tar.zst (3 chunks) | 5.0 MiB |`)
    expect(text).toContain(`Download: [the artifacts of run 4242](${runUrl}) · [the manifest](${artifactUrl(104)})`)
    expect(text).toContain('stored in artifacts of workflow run 4242; they expire 2026-11-30T02:00:01.000Z.')
  })

  it('links nothing a store gave that is not a plain web address', () => {
    const result = stored(manifest.parts)
    result.saved.items[0].url = 'javascript:alert(1)'
    result.saved.items[2].url = 'https://example.com/x) [y](https://evil.example'
    const text = backupSummary(result, sshGithub)
    expect(text).toContain(`| db | ${backupId}.db.sqlite.zst | 2.0 KiB |`)
    expect(text).not.toContain('javascript:')
    expect(text).not.toContain('evil.example')
  })

  it('names the store, the transport and the signing key a restore needs besides, and no run for stores outside GitHub', () => {
    const context = actionSummaryContext(env, { transport: 'local', store: 's3', signingKey: true })
    expect(context.run).toBeUndefined()
    const restore = yamlOf(backupSummary(stored(manifest.parts), context))
    expect(restore).toContain(`- uses: ${RESTORE_ACTION_PLACEHOLDER}\n`)
    expect(restore).toContain('    store: s3\n    transport: local\n    signing-key: ${{ secrets.BACKUP_SIGNING_KEY }}\n')
    expect(restore).not.toMatch(/run-id|ssh-key|known-hosts|age-identity/)
    expect(restore).toContain("    # plus the backup step's sudo and directory inputs\n    # and its s3-* inputs\n")
  })

  it('uses the placeholder when the running action is not named plainly (a local action, a value that could break the block)', () => {
    const of = (extra: Record<string, string>): SummaryContext => actionSummaryContext({ ...env, ...extra }, { transport: 'ssh', store: 'github', signingKey: false })
    expect(of({}).restore.action).toBe(RESTORE_ACTION_PLACEHOLDER)
    expect(of({ GITHUB_ACTION_REPOSITORY: 'octo/selfhost-backup', GITHUB_ACTION_REF: 'v1\n```' }).restore.action).toBe(RESTORE_ACTION_PLACEHOLDER)
    expect(of({ GITHUB_ACTION_REPOSITORY: 'octo/selfhost-backup/x', GITHUB_ACTION_REF: 'v1' }).restore.action).toBe(RESTORE_ACTION_PLACEHOLDER)
    expect(of({ GITHUB_ACTION_REPOSITORY: 'octo/selfhost-backup', GITHUB_ACTION_REF: 'feature/x' }).restore.action).toBe('octo/selfhost-backup/restore@feature/x')
    expect(of({ GITHUB_RUN_ID: '42; rm' }).run).toBeUndefined()
  })

  it('offers no restore step for a backup that failed its drill', () => {
    const failed = stored(manifest.parts, { verification: { method: 'drill', ok: false, parts: [{ name: 'db', ok: false, detail: 'integrity check failed' }] } })
    const text = backupSummary(failed, sshGithub)
    expect(text).toContain(`## ❌ Backup ${backupId}`)
    expect(text).not.toContain('```yaml')
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
