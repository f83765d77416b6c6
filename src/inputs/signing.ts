import { InputError } from '../kernel/errors.js'
import type { InputReader } from '../kernel/input-reader.js'
import type { SigningSettings } from '../kernel/manifest-keys.js'
import { normalizePublicKey, parseTrustedSigners } from '../kernel/manifest-signature.js'

/** Which keys a run needs: `sign` writes manifests (a backup, a restore's safety copy), `verify` only reads them. */
export type KeyNeed = 'sign' | 'verify'

const KEY_HINT =
  'make a signing key once with `ssh-keygen -t ed25519 -N "" -f selfhost-backup-signing`, store the private key as a secret and pass it as signing-key to the backup and the restore (README: "Signed manifests").'

/**
 * The signing key is the SSH key both workflows already hold, unless `signing-key` names another one;
 * with transport: local there is no SSH key, so signing-key is required wherever a manifest is written.
 */
export function parseSigningInputs(reader: InputReader, transportKind: 'ssh' | 'local', need: KeyNeed): SigningSettings {
  const trustedSigners = parseTrustedSigners(reader.string('trusted-signers', { multiline: true }))
  const signingKey = reader.string('signing-key', { multiline: true })
  if (signingKey && normalizePublicKey(signingKey.split('\n')[0])) {
    throw new InputError('signing-key', 'this is a public key; the private key is needed.', 'pass the private key file; its public key goes into trusted-signers where only verification is needed.')
  }
  if (signingKey && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(signingKey)) {
    throw new InputError('signing-key', 'this does not look like a private key (no "-----BEGIN … PRIVATE KEY-----" line).', KEY_HINT)
  }
  const sshKey = transportKind === 'ssh' ? reader.string('ssh-key', { multiline: true }) : ''
  const privateKey = signingKey || sshKey
  const privateKeyInput = signingKey ? 'signing-key' : sshKey ? 'ssh-key' : ''
  if (need === 'sign' && !privateKey) {
    throw new InputError('signing-key', `is required with transport: ${transportKind}: every manifest this run writes is signed, and there is no SSH key to sign with.`, KEY_HINT)
  }
  if (need === 'verify' && !privateKey && trustedSigners.length === 0) {
    throw new InputError(
      'trusted-signers',
      'is empty and no private key (ssh-key or signing-key) was given, so no manifest could be verified.',
      'pass the public key of the key your backups are signed with as trusted-signers (it is not a secret), or the signing key itself as signing-key.'
    )
  }
  return { privateKey, privateKeyInput, trustedSigners }
}
