/**
 * Issue 10 end to end: forged backups made from a genuine one, restored and checked with the bundled
 * actions as a workflow would run them. Each is refused before the host changes (the Tabby root stays
 * byte-identical and the stop-command never runs); genuine backups still restore, also after a key rotation.
 */
import { existsSync, readFileSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { diffFingerprints, sqliteTableDigest, type TableDigest, type TreeFingerprint } from '../../scripts/fixtures/fingerprint.mjs'
import { MANIFEST_SUFFIX, newBackupId, parseBackupId, type Manifest } from '../../src/kernel/manifest.js'
import { signedManifestText } from '../../src/kernel/manifest-file.js'
import { expectSuccess, runAction, type ActionRun } from '../support/action-runner.js'
import { recordCase } from '../support/fault-report.js'
import { testSigner, testSigningKey } from '../support/signing-key.js'
import { makeRootOwnedTabbyHome, treeOf } from '../support/tabby-bed.js'

let base: string
let root: string
let store: string
let genuineId: string
let treeBefore: TreeFingerprint
let tablesBefore: TableDigest

const inputs = (): Record<string, string> => ({ app: 'tabby', transport: 'local', 'tabby-root': root, store: 'local', 'store-path': store })

beforeAll(async () => {
  const made = await makeRootOwnedTabbyHome('tabby', { eventDays: 3 })
  base = made.base
  root = made.home.root
  store = await mkdtemp(join(tmpdir(), 'sb-forged-store-'))
  const backup = await runAction('action.yml', { ...inputs(), verify: 'checksum' })
  expectSuccess(backup)
  genuineId = backup.outputs['backup-id']
  treeBefore = await treeOf(root)
  tablesBefore = sqliteTableDigest(join(root, 'ee/db.sqlite'))
})

afterAll(async () => {
  await rm(base, { recursive: true, force: true })
  await rm(store, { recursive: true, force: true })
})

const genuineManifest = (): Manifest => JSON.parse(readFileSync(join(store, genuineId, `${genuineId}${MANIFEST_SUFFIX}`), 'utf8')) as Manifest
const unsigned = ({ signature: _signature, ...content }: Manifest): Manifest => content

/** The genuine backup's files under a newer id (a minute later), with a manifest the attacker wrote. */
async function forgeCopy(writeManifest: (content: Manifest) => Promise<string>, change: (content: Manifest) => Manifest = content => content): Promise<string> {
  const { hostId } = parseBackupId(genuineId)!
  const forgedId = newBackupId('tabby', hostId, new Date(Date.now() + 60_000))
  const dir = join(store, forgedId)
  await mkdir(dir)
  for (const file of await readdir(join(store, genuineId))) {
    if (!file.endsWith(MANIFEST_SUFFIX)) await copyFile(join(store, genuineId, file), join(dir, forgedId + file.slice(genuineId.length)))
  }
  const content = JSON.parse(JSON.stringify(unsigned(genuineManifest())).replaceAll(genuineId, forgedId)) as Manifest
  await writeFile(join(dir, `${forgedId}${MANIFEST_SUFFIX}`), await writeManifest(change(content)))
  return forgedId
}

const json = async (content: Manifest): Promise<string> => `${JSON.stringify(content, null, 2)}\n`
const byAttacker = async (content: Manifest): Promise<string> => signedManifestText(content, await testSigner('attacker'))

/** Restores with a stop-command that leaves a mark: a refusal must come before it. */
async function restore(extra: Record<string, string>): Promise<{ run: ActionRun; stopped: boolean }> {
  const marker = join(base, `stopped-${Date.now()}`)
  const run = await runAction('restore/action.yml', { ...inputs(), 'stop-command': `touch ${marker}`, ...extra })
  return { run, stopped: existsSync(marker) }
}

async function expectHostUnchanged(): Promise<void> {
  expect(diffFingerprints(treeBefore, await treeOf(root))).toEqual([])
  expect(sqliteTableDigest(join(root, 'ee/db.sqlite'))).toEqual(tablesBefore)
}

describe.each<[string, () => Promise<string>, RegExp]>([
  ['unsigned', () => forgeCopy(json), /is not signed/],
  ['signed by another key', () => forgeCopy(byAttacker), /is signed by the key SHA256:\S+, which is not trusted here/],
  [
    'a part replaced and its sha256 edited to match',
    async () => {
      const id = await forgeCopy(async content => {
        // The attacker's own db part, with the manifest edited to its checksum, under the genuine signature.
        const signedText = await signedManifestText(content, await testSigner())
        const signed = JSON.parse(signedText) as Manifest
        return json({ ...signed, parts: signed.parts.map(part => (part.name === 'db' ? { ...part, sha256: 'c'.repeat(64) } : part)) })
      })
      return id
    },
    /was altered after it was signed/
  ]
])('a restore of a forged backup (%s)', (name, forge, message) => {
  it('is refused before anything on the host changes', async () => {
    let outcome: 'passed' | 'failed' = 'failed'
    try {
      const forgedId = await forge()
      const { run, stopped } = await restore({ 'backup-id': forgedId })
      expect(run.exitCode).toBe(1)
      expect(run.stdout).toMatch(message)
      expect(run.stdout).toContain('nothing on the host was changed')
      expect(stopped).toBe(false)
      await expectHostUnchanged()
      await rm(join(store, forgedId), { recursive: true, force: true })
      outcome = 'passed'
    } finally {
      recordCase({ suite: 'security/forged-backups', case: name, kind: 'forged', outcome })
    }
  })
})

it('skips a newer forged backup when no backup-id is given, restores the genuine one and names the forgery', async () => {
  let outcome: 'passed' | 'failed' = 'failed'
  try {
    const forgedId = await forgeCopy(byAttacker)
    const { run } = await restore({ 'dry-run': 'true' })
    expectSuccess(run)
    expect(run.outputs['backup-id']).toBe(genuineId)
    expect(run.stdout).toContain(`Skipping ${forgedId}`)
    await expectHostUnchanged()
    await rm(join(store, forgedId), { recursive: true, force: true })
    outcome = 'passed'
  } finally {
    recordCase({ suite: 'security/forged-backups', case: 'newest without backup-id', kind: 'forged', outcome })
  }
})

it('does not let a forged drill-verified backup pass mode: check', async () => {
  let outcome: 'passed' | 'failed' = 'failed'
  try {
    const forgedId = await forgeCopy(byAttacker, content => ({ ...content, verification: { method: 'drill', ok: true } }))
    const check = await runAction('action.yml', { ...inputs(), mode: 'check', 'max-age': '1d' })
    expect(check.exitCode).toBe(1)
    expect(check.stdout).toMatch(/No drill-verified tabby backup/)
    expect(check.stdout).toContain(`${forgedId} (refused: not a verifiable backup)`)
    await rm(join(store, forgedId), { recursive: true, force: true })
    outcome = 'passed'
  } finally {
    recordCase({ suite: 'security/forged-backups', case: 'mode: check with a forged verified backup', kind: 'forged', outcome })
  }
})

it('restores a backup signed before a key rotation when its public key is in trusted-signers, and refuses it without', async () => {
  const oldKey = testSigningKey('before-rotation')
  const newKey = testSigningKey('after-rotation')
  const backup = await runAction('action.yml', { ...inputs(), verify: 'checksum', 'signing-key': oldKey.privateKey })
  expectSuccess(backup)
  const id = backup.outputs['backup-id']
  const refused = await restore({ 'backup-id': id, 'signing-key': newKey.privateKey, 'dry-run': 'true' })
  expect(refused.run.exitCode).toBe(1)
  expect(refused.run.stdout).toMatch(/which is not trusted here/)
  expect(refused.run.stdout).toContain('add its public key to trusted-signers')
  const { run, stopped } = await restore({ 'backup-id': id, 'signing-key': newKey.privateKey, 'trusted-signers': oldKey.publicKey })
  expectSuccess(run)
  expect(stopped).toBe(true)
  expect(run.outputs.restored).toBe('true')
  await expectHostUnchanged()
})
