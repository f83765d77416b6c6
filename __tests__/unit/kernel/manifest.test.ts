import { VerificationError } from '../../../src/kernel/errors.js'
import { chunkFileName, MANIFEST_FORMAT, newBackupId, parseBackupId } from '../../../src/kernel/manifest.js'
import { validateManifest } from '../../../src/kernel/manifest-file.js'

const backupId = newBackupId('tabby', 'tabby.example.com', new Date('2026-11-23T02:00:00Z'))
const part = { name: 'db', file: `${backupId}.db.sqlite.zst`, kind: 'sqlite', compression: 'zstd', sha256: 'a'.repeat(64), bytes: 10, durationMs: 1, tables: { users: 2 } }
const chunk = (index: number, bytes: number, blocks?: string[]): { file: string; bytes: number; sha256: string; blocks?: string[] } => ({
  file: chunkFileName(part.file, index),
  bytes,
  sha256: 'b'.repeat(64),
  ...(blocks ? { blocks } : {})
})
const hash = (letter: string): string => letter.repeat(64)
const BLOCK = 64 * 1024
/** 200,000 bytes in blocks of 64 KiB: four blocks, the last shorter. */
const big = { ...part, bytes: 200_000, blockSize: BLOCK, blocks: [hash('c'), hash('d'), hash('e'), hash('f')] }
const valid = {
  format: MANIFEST_FORMAT,
  backupId,
  app: 'tabby',
  host: 'deploy@tabby.example.com:22',
  hostId: 'tabby.example.com',
  startedAt: '2026-11-23T02:00:00.000Z',
  finishedAt: '2026-11-23T02:01:00.000Z',
  tool: { name: 'selfhost-backup', version: 'test' },
  options: { root: '/srv/tabby\nwith a line break', exclude: ['models'] },
  parts: [part]
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
  it('accepts a well-formed manifest, line breaks in recorded free text included', () => {
    expect(validateManifest(valid).backupId).toBe(backupId)
  })

  it.each([
    ['a part file outside the backup', { parts: [{ ...part, file: '../../evil' }] }, /part db: bad file name/],
    ['a part file of another part', { parts: [{ ...part, file: `${backupId}.home.tar.zst` }] }, /part db: bad file name/],
    ['a malformed checksum', { parts: [{ ...part, sha256: 'xyz' }] }, /bad sha256/],
    ['a negative size', { parts: [{ ...part, bytes: -1 }] }, /bad size/],
    ['an unknown kind', { parts: [{ ...part, kind: 'shell-script' }] }, /part db: unknown kind/],
    ['an unknown compression', { parts: [{ ...part, compression: 'xz; rm -rf /' }] }, /part db: unknown compression/],
    [
      'a part name with a line break and a workflow command',
      { parts: [{ ...part, name: 'db\n::warning::owned', file: `${backupId}.db\n::warning::owned.sqlite.zst` }] },
      /part #1: the name is not lower-case/
    ],
    ['a part name with a path', { parts: [{ ...part, name: '../db', file: `${backupId}.../db.sqlite.zst` }] }, /part #1: the name is not lower-case/],
    ['the same part twice', { parts: [part, part] }, /a part name appears twice/],
    ['row counts that are not numbers', { parts: [{ ...part, tables: { users: 'many' } }] }, /bad row counts/],
    ['a control character in a detail the restore acts on', { parts: [{ ...part, details: { database: 'ccnet_db\u001b[2J' } }] }, /control characters in parts\.0\.details\.database/],
    ["a host id that is not the backup id's", { hostId: 'other.example.com' }, /hostId does not match/],
    ["an app that is not the backup id's", { app: 'seatable' }, /app does not match/],
    ['a time that is not a time', { startedAt: 'yesterday' }, /startedAt is not a time/],
    ['no parts', { parts: [] }, /lists no parts/],
    ['another format', { format: 'other/9' }, /format is not/],
    ['a single chunk', { parts: [{ ...part, chunks: [chunk(0, 10)] }] }, /part db: a chunk list needs at least two chunks/],
    ['chunks out of order', { parts: [{ ...part, chunks: [chunk(1, 5), chunk(0, 5)] }] }, /part db: chunk 1 is not named .*\.db\.sqlite\.zst\.chunk-0001/],
    ['a chunk file outside the backup', { parts: [{ ...part, chunks: [chunk(0, 5), { ...chunk(1, 5), file: '../../evil' }] }] }, /part db: chunk 2 is not named/],
    ['an empty chunk', { parts: [{ ...part, chunks: [chunk(0, 10), chunk(1, 0)] }] }, /part db: chunk 2 has a bad size or sha256/],
    ['chunks that do not add up to the part', { parts: [{ ...part, chunks: [chunk(0, 5), chunk(1, 6)] }] }, /part db: its chunks hold 11 bytes, the part 10/],
    ['a block list without a block size', { parts: [{ ...part, blocks: [hash('c')] }] }, /part db: the block size is not a whole number/],
    ['a block size below 64 KiB', { parts: [{ ...part, blockSize: 4096, blocks: [hash('c')] }] }, /part db: the block size is not a whole number of bytes from 65536/],
    ['a block size that is not a number', { parts: [{ ...part, blockSize: '4194304', blocks: [hash('c')] }] }, /part db: the block size/],
    ['a block size without blocks', { parts: [{ ...part, blockSize: BLOCK }] }, /part db: the file does not list one sha256 for each of its 1 blocks/],
    ['a block missing from the list', { parts: [{ ...big, blocks: [hash('c'), hash('d'), hash('e')] }] }, /part db: the file does not list one sha256 for each of its 4 blocks/],
    ['a block too many', { parts: [{ ...big, blocks: [...big.blocks, hash('f')] }] }, /part db: the file does not list one sha256 for each of its 4 blocks/],
    ['a block sha256 that is not one', { parts: [{ ...big, blocks: [hash('c'), hash('d'), 'e'.repeat(63), hash('f')] }] }, /part db: the file does not list one sha256/],
    ['a chunk without its blocks', { parts: [{ ...part, blockSize: BLOCK, chunks: [chunk(0, 6, [hash('c')]), chunk(1, 4)] }] }, /part db: chunk 2 does not list one sha256 for each of its 1 blocks/],
    [
      'a chunked part with blocks of its own',
      { parts: [{ ...part, blockSize: BLOCK, blocks: [hash('c')], chunks: [chunk(0, 6, [hash('c')]), chunk(1, 4, [hash('d')])] }] },
      /part db: a chunked part lists its blocks per chunk/
    ]
  ])('rejects %s', (_what, change, message) => {
    expect(() => validateManifest({ ...valid, ...change })).toThrow(VerificationError)
    expect(() => validateManifest({ ...valid, ...change })).toThrow(message)
  })

  it('accepts block lists that hold one sha256 per block, for a part and for each of its chunks', () => {
    expect(validateManifest({ ...valid, parts: [big] }).parts[0].blocks).toHaveLength(4)
    const chunked = { ...part, blockSize: BLOCK, chunks: [chunk(0, 6, [hash('c')]), chunk(1, 4, [hash('d')])] }
    expect(validateManifest({ ...valid, parts: [chunked] }).parts[0].chunks?.[1].blocks).toEqual([hash('d')])
  })

  it('accepts a part stored in chunks named by their place that add up to it', () => {
    expect(validateManifest({ ...valid, parts: [{ ...part, chunks: [chunk(0, 6), chunk(1, 4)] }] }).parts[0].chunks).toHaveLength(2)
  })

  it('rejects a manifest that describes another backup', () => {
    expect(() => validateManifest(valid, 'tabby--other--20261123T020000Z')).toThrow(/describes another backup/)
  })
})
