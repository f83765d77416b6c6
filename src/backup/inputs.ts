import { InputReader } from '../core/input-reader.js'
import { parseTargetInputs, type TargetInputs } from '../core/target-inputs.js'

export type BackupInputs = TargetInputs

/** All backup inputs, validated before any connection is made. */
export function parseBackupInputs(get: (name: string) => string): BackupInputs {
  return parseTargetInputs(new InputReader(get), 'backup')
}
