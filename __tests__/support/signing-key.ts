import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createHash } from 'node:crypto'
import { BlockHasher } from '../../src/kernel/block-hashes.js'
import { BLOCK_SIZE, type Manifest, type PartRecord } from '../../src/kernel/manifest.js'
import { signedManifestText } from '../../src/kernel/manifest-file.js'
import { createSigner, normalizePublicKey, type ManifestSigner, type ManifestTrust } from '../../src/kernel/manifest-signature.js'

export interface TestSigningKey {
  privateKey: string
  publicKey: string
  /** The private key file (0600), for the CLI's --signing-key-file. */
  file: string
}

const made = new Map<string, TestSigningKey>()

// Each test file gets its own keys (jest loads this module once per file): remove them with the file's other temp dirs.
afterAll(() => {
  for (const key of made.values()) rmSync(dirname(key.file), { recursive: true, force: true })
  made.clear()
})

/**
 * A fresh ed25519 key per test file and name, made with the real ssh-keygen: tests with
 * transport: local sign with it as `signing-key`, as a user of a self-hosted runner would.
 */
export function testSigningKey(name = 'default'): TestSigningKey {
  const existing = made.get(name)
  if (existing) return existing
  const dir = mkdtempSync(join(tmpdir(), 'sb-signing-'))
  const file = join(dir, 'signing-key')
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `selfhost-backup test ${name}`, '-f', file])
  const key = { privateKey: readFileSync(file, 'utf8'), publicKey: readFileSync(`${file}.pub`, 'utf8').trim(), file }
  made.set(name, key)
  return key
}

/** The in-process signer for that key: what the pipeline builds from a `signing-key` input. */
export function testSigner(name = 'default'): Promise<ManifestSigner> {
  return createSigner(testSigningKey(name).privateKey, 'signing-key')
}

/** Trust in exactly that key, as a restore holding it would have. */
export function testTrust(name = 'default'): ManifestTrust {
  return { publicKeys: [normalizePublicKey(testSigningKey(name).publicKey) as string] }
}

/**
 * Edits a stored manifest and signs it again with `privateKey`: the backup's own key, as when a
 * compromised host fed bad data into a genuine backup (the signature then holds, the content does not).
 */
export async function editSignedManifest(path: string, edit: (manifest: Manifest) => void, privateKey: string): Promise<void> {
  const { signature: _old, ...content } = JSON.parse(readFileSync(path, 'utf8')) as Manifest
  edit(content)
  writeFileSync(path, await signedManifestText(content, await createSigner(privateKey, 'signing-key')))
}

/**
 * What a manifest says of a stored file it checks, for a test that put other bytes in its place and signs
 * the manifest again: size, sha256 and the block hashes a restore checks as it streams.
 */
export function storedFileRecord(path: string): Pick<PartRecord, 'bytes' | 'sha256' | 'blockSize' | 'blocks'> {
  const bytes = readFileSync(path)
  const blocks = new BlockHasher(BLOCK_SIZE)
  blocks.update(bytes)
  return { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), blockSize: BLOCK_SIZE, blocks: blocks.digest() }
}
