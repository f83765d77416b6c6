import { Decrypter, Encrypter } from 'age-encryption'
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { InputError } from './errors.js'

/** age's X25519 and hybrid post-quantum recipients; the library has no SSH-key recipients. */
const RECIPIENT_PATTERN = /^age1[0-9a-z]{20,2000}$/
const IDENTITY_PATTERN = /^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]{20,4000}$/

export const AGE_EXTENSION = '.age'

export function parseRecipients(text: string): string[] {
  const recipients = text.split(/[\s,]+/).filter(Boolean)
  for (const recipient of recipients) {
    if (/^(ssh-|ecdsa-)/.test(recipient)) {
      throw new InputError(
        'encrypt-to',
        'SSH public keys are not supported as recipients by the age library this action uses.',
        'generate an age key pair (age-keygen -o backup.key) and use the age1… recipient it prints.'
      )
    }
    if (!RECIPIENT_PATTERN.test(recipient)) {
      throw new InputError('encrypt-to', `"${recipient.slice(0, 80)}" is not an age recipient.`, 'use the public key printed by age-keygen, which starts with age1.')
    }
  }
  return recipients
}

/** Identities from the secret: one per line, comments (# …) and blank lines ignored, as age's key files have them. */
export function parseIdentities(text: string): string[] {
  const identities = text
    .split(/\r?\n/)
    .map(line => line.trim())
    .filter(line => line && !line.startsWith('#'))
  for (const identity of identities) {
    if (!IDENTITY_PATTERN.test(identity)) {
      // Never echo the value: it is a secret, or part of one.
      throw new InputError('age-identity', 'a line is not an age identity.', 'store the whole key file made by age-keygen (the AGE-SECRET-KEY-1… line) as the secret.')
    }
  }
  return identities
}

/** Short, non-secret label of a recipient for the manifest, so a restore can say which key is needed. */
export function recipientFingerprint(recipient: string): string {
  return createHash('sha256').update(recipient).digest('hex').slice(0, 16)
}

/** The ciphertext of a plaintext stream, as a stream: nothing is held in memory beyond age's 64 KiB chunks. */
export async function encryptStream(recipients: string[], plaintext: Readable): Promise<Readable> {
  const encrypter = new Encrypter()
  for (const recipient of recipients) encrypter.addRecipient(recipient)
  const encrypted = await encrypter.encrypt(Readable.toWeb(plaintext) as ReadableStream<Uint8Array>)
  return Readable.fromWeb(encrypted as import('node:stream/web').ReadableStream<Uint8Array>)
}

/**
 * The plaintext of a ciphertext stream. Resolves once age has read the header, so a wrong identity fails
 * here, before the caller sends anything anywhere; the payload is authenticated chunk by chunk as it is read.
 */
export async function decryptStream(identities: string[], ciphertext: AsyncIterable<Uint8Array>): Promise<AsyncIterable<Uint8Array>> {
  const decrypter = new Decrypter()
  for (const identity of identities) decrypter.addIdentity(identity)
  try {
    return (await decrypter.decrypt(Readable.toWeb(Readable.from(ciphertext)) as ReadableStream<Uint8Array>)) as unknown as AsyncIterable<Uint8Array>
  } catch (error) {
    throw new InputError(
      'age-identity',
      `it does not decrypt this backup (${(error as Error).message}).`,
      "use the identity whose recipient was in encrypt-to when the backup was made; the manifest lists the recipients' fingerprints."
    )
  }
}
