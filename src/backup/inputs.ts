import { InputError } from '../core/errors.js'
import { parseRecipients } from '../core/encryption.js'
import { parseIncrementalInputs, type IncrementalSettings } from '../core/incremental.js'
import { InputReader } from '../core/input-reader.js'
import { parseSigningInputs, type SigningSettings } from '../core/manifest-keys.js'
import { parseTargetInputs, type TargetInputs } from '../core/target-inputs.js'
import { parseVerificationInputs, type VerificationSettings } from '../core/verification.js'

export interface BackupInputs extends TargetInputs {
  /** age recipients; empty: the parts are stored as plaintext. */
  recipients: string[]
  verification: VerificationSettings
  incremental: IncrementalSettings
  /** Without encryption, store the app's secret files (e.g. SeaTable's .env) as plain artifacts anyway. */
  allowUnencryptedSecrets: boolean
  /** The key that signs the manifest (and verifies earlier ones), and older keys still trusted. */
  signing: SigningSettings
}

/** All backup inputs, validated before any connection is made. */
export function parseBackupInputs(get: (name: string) => string): BackupInputs {
  const reader = new InputReader(get)
  const verification = parseVerificationInputs(reader)
  const target = parseTargetInputs(reader, 'backup', { identityOnly: verification.mode === 'check' })
  const recipients = parseRecipients(reader.string('encrypt-to', { multiline: true }))
  if (recipients.length === 0 && reader.boolean('require-encryption') && verification.mode === 'backup') {
    throw new InputError('encrypt-to', 'is empty, and require-encryption is true.', 'generate a key pair with age-keygen, put the age1… recipient in encrypt-to and keep the identity as a secret for restores.')
  }
  const signing = parseSigningInputs(reader, target.transport.kind, verification.mode === 'check' ? 'verify' : 'sign')
  return { ...target, recipients, verification, incremental: parseIncrementalInputs(reader), allowUnencryptedSecrets: reader.boolean('allow-unencrypted-secrets'), signing }
}
