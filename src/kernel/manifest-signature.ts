import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { childEnvironment } from './child-environment.js'
import { InputError, VerificationError } from './errors.js'

/**
 * Manifests are signed with an OpenSSH key (`ssh-keygen -Y sign`) under a namespace of ours, so a
 * signature made for something else (a git commit, another tool) with the same key never verifies
 * as a manifest. The key is one the workflows already hold (the SSH key, or `signing-key`): the
 * attacker of the threat model can upload artifacts but has none of the repository's secrets.
 */
export const SIGNATURE_NAMESPACE = 'selfhost-backup-manifest@v1'
/** The principal in the allowed-signers file; any fixed name works, the keys decide. */
const PRINCIPAL = 'selfhost-backup'

export interface ManifestSignature {
  format: 'sshsig'
  namespace: typeof SIGNATURE_NAMESPACE
  /** The signer's public key ("ssh-ed25519 AAAA…"), so a refusal can say which key signed. */
  publicKey: string
  /** The armored "-----BEGIN SSH SIGNATURE-----" block. */
  armored: string
}

/** Public keys whose signatures are accepted: the one derived from our own private key, plus `trusted-signers`. */
export interface ManifestTrust {
  publicKeys: string[]
}

export interface ManifestSigner {
  publicKey: string
  sign(text: string): Promise<ManifestSignature>
}

const KEY_TYPES = '(?:ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\\.com|sk-ecdsa-sha2-nistp256@openssh\\.com)'
const PUBLIC_KEY = new RegExp(`^(${KEY_TYPES}) (AAAA[A-Za-z0-9+/]+={0,3})(?: .*)?$`)
const ARMORED = /^-----BEGIN SSH SIGNATURE-----\n[A-Za-z0-9+/=\n]+\n-----END SSH SIGNATURE-----\n?$/

/** "type base64" without the comment, or null when the text is not one OpenSSH public key. */
export function normalizePublicKey(line: string): string | null {
  const match = PUBLIC_KEY.exec(line.trim())
  return match ? `${match[1]} ${match[2]}` : null
}

/** The fingerprint ssh-keygen -l prints (SHA256:…), computed here so a hostile key never reaches a command. */
export function keyFingerprint(publicKey: string): string {
  const blob = Buffer.from(publicKey.split(' ')[1] ?? '', 'base64')
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`
}

/** The `trusted-signers` input: one public key per line (as in a .pub file); blank lines and # comments ignored. */
export function parseTrustedSigners(text: string, input = 'trusted-signers'): string[] {
  const keys: string[] = []
  for (const line of text.split(/\r?\n/).map(candidate => candidate.trim())) {
    if (!line || line.startsWith('#')) continue
    const key = normalizePublicKey(line)
    if (!key) {
      throw new InputError(
        input,
        `"${line.slice(0, 40)}${line.length > 40 ? '…' : ''}" is not an OpenSSH public key.`,
        'give one public key per line as in a .pub file, e.g. ssh-ed25519 AAAAC3Nz… old-backup-key.'
      )
    }
    keys.push(key)
  }
  return keys
}

/** Runs ssh-keygen with `input` on stdin; only key and signature paths (never key material) are in its argv. */
function sshKeygen(args: string[], input: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh-keygen', args, { stdio: ['pipe', 'pipe', 'pipe'], env: childEnvironment() })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.stdin.on('error', () => undefined)
    child.once('error', reject)
    child.once('close', code => resolve({ exitCode: code ?? 1, stdout, stderr }))
    child.stdin.end(input)
  })
}

/** A private 0700 directory for one ssh-keygen call; the key inside is removed with it. */
async function withScratch<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'sb-sign-'))
  try {
    return await work(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function writePrivateKey(dir: string, privateKey: string): Promise<string> {
  const path = join(dir, 'key')
  // ssh-keygen refuses a key file without its final newline; secrets often lose it on the way.
  await writeFile(path, privateKey.endsWith('\n') ? privateKey : `${privateKey}\n`, { mode: 0o600 })
  return path
}

/**
 * Checks the private key and derives its public key. `-P ''` makes an encrypted key fail instead of
 * prompting for a passphrase on a terminal that does not exist in a workflow.
 */
export async function createSigner(privateKey: string, input: string): Promise<ManifestSigner> {
  const publicKey = await withScratch(async dir => {
    const keyFile = await writePrivateKey(dir, privateKey)
    const result = await sshKeygen(['-y', '-P', '', '-f', keyFile], '')
    const key = normalizePublicKey(result.stdout)
    if (result.exitCode !== 0 || !key) {
      throw new InputError(
        input,
        'is not an unencrypted OpenSSH private key that ssh-keygen can read.',
        'use a key without a passphrase, e.g. made with `ssh-keygen -t ed25519 -N "" -f selfhost-backup-signing`, and pass the whole private key file.'
      )
    }
    return key
  })
  return {
    publicKey,
    sign: text =>
      withScratch(async dir => {
        const keyFile = await writePrivateKey(dir, privateKey)
        const result = await sshKeygen(['-Y', 'sign', '-q', '-f', keyFile, '-n', SIGNATURE_NAMESPACE], text)
        if (result.exitCode !== 0)
          throw new VerificationError(
            `Signing the manifest with ssh-keygen failed (exit code ${result.exitCode}): ${result.stderr.trim()}`,
            'check that ssh-keygen (OpenSSH 8.1 or later) is installed on the runner.'
          )
        return { format: 'sshsig', namespace: SIGNATURE_NAMESPACE, publicKey, armored: result.stdout }
      })
  }
}

/**
 * Proves `text` was signed by one of the trusted keys under our namespace, or throws one error that
 * says which of the three things is wrong: no signature, a key we do not trust, or altered content.
 */
export async function verifySignature(text: string, signature: unknown, trust: ManifestTrust, what: string): Promise<void> {
  const hint = 'restore a backup this repository\'s backup job made; if this one is yours, see the README\'s "Signed manifests" section.'
  if (signature === undefined) {
    throw new VerificationError(
      `${what} is not signed, so nothing proves the backup action made it; it was refused and nothing on the host was changed.`,
      `${hint} Backups made before signing existed (selfhost-backup 0.1) restore only with that version.`
    )
  }
  const candidate = signature as Partial<ManifestSignature>
  const publicKey = typeof candidate.publicKey === 'string' ? normalizePublicKey(candidate.publicKey) : null
  if (candidate.format !== 'sshsig' || candidate.namespace !== SIGNATURE_NAMESPACE || !publicKey || typeof candidate.armored !== 'string' || !ARMORED.test(candidate.armored)) {
    throw new VerificationError(`${what} carries a signature that is not one of ours (wrong format or namespace); it was refused and nothing on the host was changed.`, hint)
  }
  if (!trust.publicKeys.includes(publicKey)) {
    throw new VerificationError(
      `${what} is signed by the key ${keyFingerprint(publicKey)}, which is not trusted here (trusted: ${trust.publicKeys.map(keyFingerprint).join(', ') || 'none'}); it was refused and nothing on the host was changed.`,
      "if that key is yours (a key used before a rotation, or another machine's signing key), add its public key to trusted-signers; otherwise this backup was not made by your backup job."
    )
  }
  const good = await withScratch(async dir => {
    const allowed = join(dir, 'allowed_signers')
    const signatureFile = join(dir, 'manifest.sig')
    await writeFile(allowed, `${PRINCIPAL} namespaces="${SIGNATURE_NAMESPACE}" ${publicKey}\n`, { mode: 0o600 })
    await writeFile(signatureFile, candidate.armored as string, { mode: 0o600 })
    const result = await sshKeygen(['-Y', 'verify', '-f', allowed, '-I', PRINCIPAL, '-n', SIGNATURE_NAMESPACE, '-s', signatureFile], text)
    return result.exitCode === 0
  })
  if (!good) {
    throw new VerificationError(
      `${what} was altered after it was signed (its signature by ${keyFingerprint(publicKey)} does not match its content); it was refused and nothing on the host was changed.`,
      hint
    )
  }
}
