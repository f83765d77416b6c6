/**
 * Seeded file content for the benchmark's data directories, cheap enough for gigabytes: random
 * bytes (AES-CTR keystream: incompressible, like uploaded images and archives) or slices of one
 * pool of word text (compresses about 3-4× with zstd -3, like documents and JSON).
 */
import { createCipheriv, createHash } from 'node:crypto'
import { createRandom } from '../../scripts/fixtures/seeded-random.mjs'

const WORDS = [
  'the',
  'row',
  'table',
  'base',
  'column',
  'view',
  'Kunde',
  'Rechnung',
  'Betrag',
  'Status',
  'offen',
  'erledigt',
  'project',
  'invoice',
  'customer',
  'amount',
  'date',
  'owner',
  'comment',
  'link',
  'image',
  'file',
  'note',
  'total',
  'Müller',
  'Zoë',
  '山田',
  'Ørsted',
  'report',
  'draft',
  'final',
  'pending',
  'approved',
  'rejected',
  'budget',
  'team',
  '{"id":',
  '"name":',
  '"value":',
  '},',
  '[',
  ']',
  '2024-06-01',
  '12:30',
  'true',
  'false',
  'null',
  '0.25',
  '1999'
]

export type ContentKind = 'random' | 'text'

export class ContentSource {
  private readonly pool: Buffer

  /** `poolBytes` of text, generated once; files take seeded slices of it. */
  constructor(
    private readonly seed: number,
    poolBytes = 48 * 1024 * 1024
  ) {
    const random = createRandom(seed * 31 + 7)
    const pieces: string[] = []
    let length = 0
    while (length < poolBytes) {
      const line: string[] = []
      for (let words = random.integer(4, 18); words > 0; words--) line.push(random.pick(WORDS), String(random.integer(0, 99999)).slice(0, random.integer(0, 5)))
      const text = `${line.filter(Boolean).join(' ')}\n`
      pieces.push(text)
      length += Buffer.byteLength(text)
    }
    this.pool = Buffer.from(pieces.join('')).subarray(0, poolBytes)
  }

  /** The bytes of one file: a pure function of (seed, label, kind, size). */
  bytes(label: string, kind: ContentKind, size: number): Buffer {
    if (kind === 'random') {
      const key = createHash('sha256').update(`selfhost-backup bench ${this.seed} ${label}`).digest().subarray(0, 16)
      return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size))
    }
    const digest = createHash('sha256').update(`text ${this.seed} ${label}`).digest()
    if (size <= this.pool.length) {
      const offset = digest.readUInt32BE(0) % (this.pool.length - size + 1)
      return this.pool.subarray(offset, offset + size)
    }
    const parts: Buffer[] = []
    for (let left = size, round = 0; left > 0; round++) {
      const take = Math.min(left, this.pool.length)
      const offset = (digest.readUInt32BE(0) + round * 7919) % (this.pool.length - take + 1)
      parts.push(this.pool.subarray(offset, offset + take))
      left -= take
    }
    return Buffer.concat(parts)
  }
}
