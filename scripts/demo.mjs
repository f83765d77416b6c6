// npm run demo: a sample Tabby root in a temp dir → backup (local transport, local store) → wipe →
// restore → compare. Uses the bundled CLI exactly as a user would run it.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTabbyHome } from './fixtures/tabby-home.mjs'
import { diffFingerprints, fingerprintTree, sqliteTableDigest } from './fixtures/fingerprint.mjs'

const cli = new URL('../dist/cli/index.js', import.meta.url).pathname
const work = mkdtempSync(join(tmpdir(), 'selfhost-backup-demo-'))
const root = join(work, 'tabby')
const store = join(work, 'backups')
const notCompared = ['ee/db.sqlite', 'ee/db.sqlite-wal', 'ee/db.sqlite-shm', 'models', 'index', 'repositories']
const signingKey = join(work, 'signing-key')
const selfhostBackup = args => execFileSync(process.execPath, [cli, ...args, '--signing-key-file', signingKey], { stdio: 'inherit' })

try {
  // Every manifest is signed; with transport: local there is no SSH key, so the demo makes a signing key.
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'selfhost-backup demo', '-f', signingKey])
  console.log(`Creating a sample Tabby root in ${root}`)
  await createTabbyHome(root, { eventDays: 14, eventsPerDay: 30, modelBytes: 1_000_000 })
  const filesBefore = await fingerprintTree(root, { exclude: notCompared })
  const tablesBefore = sqliteTableDigest(join(root, 'ee/db.sqlite'))

  selfhostBackup(['backup', '--app', 'tabby', '--transport', 'local', '--tabby-root', root, '--store', 'local', '--store-path', store])
  console.log(`\nWiping ${root}`)
  rmSync(root, { recursive: true, force: true })
  selfhostBackup(['restore', '--app', 'tabby', '--transport', 'local', '--tabby-root', root, '--store', 'local', '--store-path', store])

  const differences = [...diffFingerprints(filesBefore, await fingerprintTree(root, { exclude: notCompared })), ...diffFingerprints(tablesBefore, sqliteTableDigest(join(root, 'ee/db.sqlite')))]
  if (differences.length > 0) {
    console.error(`\nDEMO FAILED: the restored root differs:\n${differences.join('\n')}`)
    process.exitCode = 1
  } else {
    console.log(
      `\nDemo OK: every file and every table of the restored Tabby root matches the original (${Object.keys(filesBefore).length} paths, ${Object.keys(tablesBefore).length} tables; models/, index/ and repositories/ are excluded by design).`
    )
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}
