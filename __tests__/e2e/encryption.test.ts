import { execFileSync } from 'node:child_process'
import { createReadStream, readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { diffFingerprints, sqliteTableDigest } from '../../scripts/fixtures/fingerprint.mjs'
import { decryptStream, parseRecipients } from '../../src/kernel/encryption.js'
import { expectSuccess, runAction, visibleLog, sweepProcessesForSecrets } from '../support/action-runner.js'
import { startResultsService, type ResultsService } from '../support/results-service/index.js'
import { makeRootOwnedTabbyHome, treeOf } from '../support/tabby-bed.js'

// Secrets travel in this file's runs: watch every process's command line and environment too.
sweepProcessesForSecrets()

let service: ResultsService
let base: string
let root: string
let keys: string
let identity: string
let recipient: string
let knownRow: string

beforeAll(async () => {
  const made = await makeRootOwnedTabbyHome('tabby', { eventDays: 3 })
  base = made.base
  root = made.home.root
  service = await startResultsService()
  keys = await mkdtemp(join(tmpdir(), 'sb-age-'))
  execFileSync('age-keygen', ['-o', join(keys, 'identity.txt')], { stdio: 'ignore' })
  identity = await readFile(join(keys, 'identity.txt'), 'utf8')
  recipient = execFileSync('age-keygen', ['-y', join(keys, 'identity.txt')], { encoding: 'utf8' }).trim()
  knownRow = execFileSync('sqlite3', [join(root, 'ee/db.sqlite'), 'SELECT email FROM users ORDER BY id LIMIT 1'], { encoding: 'utf8' }).trim()
}, 120_000)

afterAll(async () => {
  await service?.stop()
  await rm(base, { recursive: true, force: true })
  await rm(keys, { recursive: true, force: true })
})

const restoreInputs = (): Record<string, string> => ({ app: 'tabby', transport: 'local', 'tabby-root': root })
/** Uncompressed, so a plaintext part would show its rows literally to the blob scan. */
const inputs = (): Record<string, string> => ({ ...restoreInputs(), compression: 'none' })

const occurrences = (text: string, needle: string): number => text.split(needle).length - 1

/** A new age key pair from the age CLI: the identity file's path and text, and its public recipient. */
function newKeyPair(name: string): { file: string; identity: string; recipient: string } {
  const file = join(keys, `${name}.txt`)
  execFileSync('age-keygen', ['-o', file], { stdio: 'ignore' })
  return { file, identity: readFileSync(file, 'utf8'), recipient: execFileSync('age-keygen', ['-y', file], { encoding: 'utf8' }).trim() }
}

async function blobsContaining(text: string, runBackend: string): Promise<string[]> {
  const blobs = await service.listStoredBlobs()
  return blobs.filter(blob => blob.name.includes(runBackend) && blob.bytes.includes(Buffer.from(text))).map(blob => blob.name)
}

it('stores only ciphertext with encrypt-to, which the age CLI decrypts, and restores with the identity', async () => {
  expect(knownRow).toMatch(/@/)
  const plainRun = service.newRun()
  const plain = await runAction('action.yml', inputs(), plainRun.env())
  expectSuccess(plain)
  expect(plain.outputs.encrypted).toBe('false')
  expect(plain.stdout).toMatch(/::warning::This backup is not encrypted: anyone with read access/)
  // Said once per backup, not once per part or again in the post step.
  expect(occurrences(`${plain.stdout}\n${plain.stderr}\n${plain.postStdout}`, '::warning::This backup is not encrypted')).toBe(1)
  // The scan finds the row in an unencrypted, uncompressed backup, so finding nothing below means something.
  expect(await blobsContaining(knownRow, plainRun.runBackendId)).not.toEqual([])

  const run = service.newRun()
  const backup = await runAction('action.yml', { ...inputs(), 'encrypt-to': recipient }, run.env(), { keepRunnerTemp: true })
  expectSuccess(backup)
  expect(backup.stdout).not.toMatch(/not encrypted/)
  expect(backup.outputs.encrypted).toBe('true')
  const artifacts = (JSON.parse(backup.outputs.artifacts) as { name: string }[]).map(item => item.name)
  expect(artifacts.filter(name => !name.endsWith('.manifest.json')).every(name => name.endsWith('.age'))).toBe(true)
  expect(await blobsContaining(knownRow, run.runBackendId)).toEqual([])
  const manifest = JSON.parse(await readFile(backup.outputs.manifest, 'utf8'))
  await rm(backup.runnerTemp, { recursive: true, force: true })
  expect(manifest.encryption.recipients).toHaveLength(1)
  expect(JSON.stringify(manifest)).not.toContain(recipient)

  // age CLI interoperability: a stored part decrypts to the manifest's plaintext checksum.
  const db = manifest.parts.find((part: { name: string }) => part.name === 'db')
  const blob = (await service.listStoredBlobs()).find(candidate => candidate.name.endsWith(db.file))
  expect(blob).toBeDefined()
  await writeFile(join(keys, 'db.age'), blob!.bytes)
  const decrypted = execFileSync('age', ['-d', '-i', join(keys, 'identity.txt'), join(keys, 'db.age')])
  expect(execFileSync('sha256sum', { input: decrypted, encoding: 'utf8' }).split(' ')[0]).toBe(db.plaintext.sha256)

  const treeBefore = await treeOf(root)
  const digestBefore = sqliteTableDigest(join(root, 'ee/db.sqlite'))
  await rm(root, { recursive: true, force: true })
  const restore = await runAction('restore/action.yml', { ...restoreInputs(), 'age-identity': identity, 'backup-id': backup.outputs['backup-id'] }, run.env(), { githubToken: service.githubToken })
  expectSuccess(restore)
  expect(visibleLog(restore)).not.toContain(
    identity
      .split('\n')
      .find(line => line.startsWith('AGE-SECRET-KEY'))!
      .slice(20)
  )
  expect(diffFingerprints(treeBefore, await treeOf(root))).toEqual([])
  expect(sqliteTableDigest(join(root, 'ee/db.sqlite'))).toEqual(digestBefore)
})

it('encrypts to two recipients, and either identity alone decrypts every part and restores', async () => {
  const keyPairs = [newKeyPair('team'), newKeyPair('offline')]
  const run = service.newRun()
  const backup = await runAction('action.yml', { ...inputs(), 'encrypt-to': keyPairs.map(pair => pair.recipient).join('\n') }, run.env(), { keepRunnerTemp: true })
  expectSuccess(backup)
  const manifest = JSON.parse(await readFile(backup.outputs.manifest, 'utf8'))
  await rm(backup.runnerTemp, { recursive: true, force: true })
  expect(new Set(manifest.encryption.recipients).size).toBe(2)
  expect(await blobsContaining(knownRow, run.runBackendId)).toEqual([])
  const blobs = (await service.listStoredBlobs()).filter(blob => blob.name.includes(run.runBackendId))
  const treeBefore = await treeOf(root)
  const digestBefore = sqliteTableDigest(join(root, 'ee/db.sqlite'))

  for (const pair of keyPairs) {
    // The age CLI with only this identity opens every stored part to the manifest's plaintext checksum.
    for (const part of manifest.parts as { file: string; plaintext: { sha256: string } }[]) {
      const blob = blobs.find(candidate => candidate.name.endsWith(part.file))
      expect(blob).toBeDefined()
      await writeFile(join(keys, 'part.age'), blob!.bytes)
      const decrypted = execFileSync('age', ['-d', '-i', pair.file, join(keys, 'part.age')])
      expect(`${part.file}: ${execFileSync('sha256sum', { input: decrypted, encoding: 'utf8' }).split(' ')[0]}`).toBe(`${part.file}: ${part.plaintext.sha256}`)
    }
    // And the restore, given only this identity, puts the wiped root back as it was.
    await rm(root, { recursive: true, force: true })
    const restore = await runAction('restore/action.yml', { ...restoreInputs(), 'age-identity': pair.identity, 'backup-id': backup.outputs['backup-id'] }, run.env(), {
      githubToken: service.githubToken
    })
    expectSuccess(restore)
    expect(occurrences(restore.stdout, 'decrypted, plaintext sha256 verified')).toBe(manifest.parts.length)
    expect(diffFingerprints(treeBefore, await treeOf(root))).toEqual([])
    expect(sqliteTableDigest(join(root, 'ee/db.sqlite'))).toEqual(digestBefore)
  }
})

it('refuses a wrong or missing identity with a clear error before the host changes', async () => {
  const run = service.newRun()
  const backup = await runAction('action.yml', { ...inputs(), 'encrypt-to': recipient }, run.env())
  expectSuccess(backup)
  execFileSync('age-keygen', ['-o', join(keys, 'other.txt')], { stdio: 'ignore' })
  const wrongIdentity = await readFile(join(keys, 'other.txt'), 'utf8')
  await writeFile(join(root, 'config.toml'), 'changed after the backup\n')
  const treeBefore = await treeOf(root)

  const wrong = await runAction('restore/action.yml', { ...restoreInputs(), 'age-identity': wrongIdentity, 'backup-id': backup.outputs['backup-id'] }, run.env(), { githubToken: service.githubToken })
  expect(wrong.exitCode).toBe(1)
  expect(wrong.stdout).toMatch(/Input 'age-identity': it does not decrypt this backup/)
  const missing = await runAction('restore/action.yml', { ...restoreInputs(), 'backup-id': backup.outputs['backup-id'] }, run.env(), { githubToken: service.githubToken })
  expect(missing.exitCode).toBe(1)
  expect(missing.stdout).toMatch(/Input 'age-identity': .* is encrypted .* no identity was given/)
  expect(diffFingerprints(treeBefore, await treeOf(root))).toEqual([])
})

it('makes a missing encrypt-to an error with require-encryption, before any work', async () => {
  const run = service.newRun()
  const backup = await runAction('action.yml', { ...inputs(), 'require-encryption': 'true' }, run.env())
  expect(backup.exitCode).toBe(1)
  expect(backup.stdout).toMatch(/Input 'encrypt-to': is empty, and require-encryption is true/)
  expect(() => parseRecipients('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA me@host')).toThrow(/SSH public keys are not supported/)
})

it('decrypts what the age CLI encrypted', async () => {
  const plainFile = join(keys, 'plain.bin')
  await writeFile(plainFile, Buffer.alloc(300_000, 7))
  execFileSync('age', ['-r', recipient, '-o', join(keys, 'cli.age'), plainFile])
  const decrypted = await decryptStream([identity.split('\n').find(line => line.startsWith('AGE-SECRET-KEY'))!], createReadStream(join(keys, 'cli.age')))
  const chunks: Uint8Array[] = []
  for await (const chunk of decrypted) chunks.push(chunk)
  expect(Buffer.concat(chunks)).toEqual(await readFile(plainFile))
})
