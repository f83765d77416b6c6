/**
 * Issue 10, item 1: a manifest counts only with a signature by a trusted key over exactly its content.
 * In-process with the real ssh-keygen and the real local store; each forgery starts from a genuine
 * signed manifest, as an attacker who can read the artifacts would.
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { VerificationError } from '../../src/kernel/errors.js'
import { MANIFEST_SUFFIX, type Manifest } from '../../src/kernel/manifest.js'
import { readManifest, signedManifestText } from '../../src/kernel/manifest-file.js'
import { normalizePublicKey, SIGNATURE_NAMESPACE } from '../../src/kernel/manifest-signature.js'
import { LocalDirectoryStore } from '../../src/store/local-dir.js'
import { recordCase } from '../support/fault-report.js'
import { testSigner, testSigningKey, testTrust } from '../support/signing-key.js'
import { stageBackup } from '../support/store-fixtures.js'

let work: string
let manifestPath: string
let genuineText: string
let genuine: Manifest

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sb-signature-'))
  const store = new LocalDirectoryStore(join(work, 'store'))
  const staged = await stageBackup(work, 'tabby', 'tabby.example.com', new Date())
  await store.save(staged.request)
  const [stored] = await store.list()
  manifestPath = join(String(stored.location.dir), `${stored.backupId}${MANIFEST_SUFFIX}`)
  genuineText = await readFile(manifestPath, 'utf8')
  genuine = JSON.parse(genuineText) as Manifest
})

afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

/** Writes a forged manifest text where the genuine one was and reads it back as a restore would. */
async function readForged(text: string, trust = testTrust()): Promise<Manifest> {
  const path = join(work, 'forged.manifest.json')
  await writeFile(path, text)
  return readManifest(path, genuine.backupId, trust)
}

const withoutSignature = ({ signature: _signature, ...content }: Manifest): Manifest => content
const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`

it('reads a genuine signed manifest', async () => {
  const manifest = await readManifest(manifestPath, genuine.backupId, testTrust())
  expect(manifest.parts.map(part => part.name)).toEqual(['db', 'home'])
  expect(manifest.signature?.namespace).toBe(SIGNATURE_NAMESPACE)
  expect(manifest.signature?.publicKey).toBe(normalizePublicKey(testSigningKey().publicKey))
})

describe.each<[string, () => Promise<string>, RegExp]>([
  ['unsigned', async () => json(withoutSignature(genuine)), /is not signed, so nothing proves the backup action made it/],
  ['signed by another key', async () => signedManifestText(withoutSignature(genuine), await testSigner('attacker')), /is signed by the key SHA256:\S+, which is not trusted here/],
  [
    'a part edited together with its sha256 and size',
    async () => json({ ...genuine, parts: genuine.parts.map(part => (part.name === 'home' ? { ...part, sha256: 'b'.repeat(64), bytes: 12 } : part)) }),
    /was altered after it was signed/
  ],
  ['a genuine signature moved onto other content', async () => json({ ...withoutSignature(genuine), options: { root: '/etc' }, signature: genuine.signature }), /was altered after it was signed/],
  [
    "a trusted public key named over another key's signature",
    async () => {
      const attacker = JSON.parse(await signedManifestText(withoutSignature(genuine), await testSigner('attacker'))) as Manifest
      return json({ ...attacker, signature: { ...attacker.signature, publicKey: genuine.signature?.publicKey } })
    },
    /was altered after it was signed/
  ],
  [
    'a signature by the trusted key made for another namespace (git)',
    async () => {
      const armored = execFileSync('ssh-keygen', ['-Y', 'sign', '-q', '-f', testSigningKey().file, '-n', 'git'], { input: json(withoutSignature(genuine)) }).toString()
      return json({ ...withoutSignature(genuine), signature: { ...genuine.signature, armored } })
    },
    /was altered after it was signed/
  ],
  ['a signature of another format', async () => json({ ...withoutSignature(genuine), signature: { ...genuine.signature, format: 'gpg' } }), /carries a signature that is not one of ours/],
  // JSON.parse keeps the last of two equal keys: the content read is not the content signed.
  ['a duplicate key appended after the signature', async () => genuineText.replace(/\n}\n$/, ',\n  "options": { "root": "/etc" }\n}\n'), /was altered after it was signed/]
])('refuses a manifest %s', (name, forge, message) => {
  it('with one error that says which, before any field is used', async () => {
    let outcome: 'passed' | 'failed' = 'failed'
    try {
      const error = await readForged(await forge()).then(
        () => null,
        (thrown: unknown) => thrown
      )
      expect(error).toBeInstanceOf(VerificationError)
      expect((error as Error).message).toMatch(message)
      expect((error as Error).message).toContain('nothing on the host was changed')
      outcome = 'passed'
    } finally {
      recordCase({ suite: 'security/manifest-signature', case: name, kind: 'forged', outcome })
    }
  })
})

it('accepts a manifest signed by a rotated-out key listed in trusted-signers, and only then', async () => {
  const oldKeySigned = await signedManifestText(withoutSignature(genuine), await testSigner('before-rotation'))
  await expect(readForged(oldKeySigned, testTrust('after-rotation'))).rejects.toThrow(/not trusted here/)
  const rotated = { publicKeys: [...testTrust('after-rotation').publicKeys, ...testTrust('before-rotation').publicKeys] }
  expect((await readForged(oldKeySigned, rotated)).backupId).toBe(genuine.backupId)
})
