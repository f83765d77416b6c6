import { InputError } from '../kernel/errors.js'
import { parseRecipients } from '../kernel/encryption.js'
import { parseIncrementalInputs } from './incremental.js'
import { InputReader } from '../kernel/input-reader.js'
import { parseSigningInputs } from './signing.js'
import { parseTargetInputs, type TargetInputs } from './target.js'
import type { BackupCommand } from '../pipeline/backup-command.js'
import { CHUNK_SIZE_RANGE, DEFAULT_CHUNK_SIZE } from '../pipeline/chunk-writer.js'
import { parseVerificationInputs } from './verification.js'
import { parseBudgetInputs, parseRetentionInputs } from './retention.js'

/** Everything a backup run needs: where (target) and what (the pipeline's BackupCommand). */
export interface BackupInputs extends TargetInputs, BackupCommand {}

/** All backup inputs, validated before any connection is made. */
export function parseBackupInputs(get: (name: string) => string): BackupInputs {
  const reader = new InputReader(get)
  const verification = parseVerificationInputs(reader)
  const target = parseTargetInputs(reader, 'backup', { identityOnly: verification.mode !== 'backup' })
  const retention = parseRetentionInputs(reader, verification.mode === 'prune')
  const budget = parseBudgetInputs(reader, target.store.kind)
  const recipients = parseRecipients(reader.string('encrypt-to', { multiline: true }))
  if (recipients.length === 0 && reader.boolean('require-encryption') && verification.mode === 'backup') {
    throw new InputError(
      'encrypt-to',
      'is empty, and require-encryption is true.',
      'generate a key pair with age-keygen, put the age1… recipient in encrypt-to and keep the identity as a secret for restores.'
    )
  }
  const signing = parseSigningInputs(reader, target.transport.kind, verification.mode === 'backup' ? 'sign' : 'verify')
  const chunkSize = reader.byteSize('chunk-size', CHUNK_SIZE_RANGE) ?? DEFAULT_CHUNK_SIZE
  return {
    ...target,
    recipients,
    verification,
    incremental: parseIncrementalInputs(reader),
    allowUnencryptedSecrets: reader.boolean('allow-unencrypted-secrets'),
    signing,
    chunkSize,
    retention,
    budget,
    coverage: reader.string('coverage') === '' ? 'report' : reader.choice('coverage', ['report', 'strict'] as const)
  }
}
