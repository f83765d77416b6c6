import { VerificationError } from '../../../src/core/errors.js'
import { MANIFEST_FORMAT, newBackupId, parseBackupId, validateManifest } from '../../../src/core/manifest.js'

const backupId = newBackupId('tabby', 'tabby.example.com', new Date('2026-11-23T02:00:00Z'))
const valid = {
  format: MANIFEST_FORMAT,
  backupId,
  app: 'tabby',
  parts: [{ name: 'db', file: `${backupId}.db.sqlite.zst`, sha256: 'a'.repeat(64), bytes: 10 }]
}

describe('backup ids', () => {
  it('carry app, host and a sortable UTC timestamp, and are safe artifact names', () => {
    expect(parseBackupId(backupId)).toEqual({ app: 'tabby', hostId: 'tabby.example.com', stamp: '20261123T020000Z' })
    expect(backupId).not.toMatch(/[":<>|*?\\/\r\n ]/)
  })

  it('reject other strings', () => {
    expect(parseBackupId('../../etc/passwd')).toBeNull()
    expect(parseBackupId('tabby--host')).toBeNull()
  })
})

describe('validateManifest', () => {
  it('accepts a well-formed manifest', () => {
    expect(validateManifest(valid).backupId).toBe(backupId)
  })

  it.each([
    ['a part file outside the backup', { parts: [{ ...valid.parts[0], file: '../../evil' }] }],
    ['a malformed checksum', { parts: [{ ...valid.parts[0], sha256: 'xyz' }] }],
    ['a negative size', { parts: [{ ...valid.parts[0], bytes: -1 }] }],
    ['no parts', { parts: [] }],
    ['another format', { format: 'other/9' }]
  ])('rejects %s', (_what, change) => {
    expect(() => validateManifest({ ...valid, ...change })).toThrow(VerificationError)
  })

  it('rejects a manifest that describes another backup', () => {
    expect(() => validateManifest(valid, 'tabby--other--20261123T020000Z')).toThrow(/describes/)
  })
})
