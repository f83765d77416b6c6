import { createHash, type Hash } from 'node:crypto'

/**
 * The sha256 of each consecutive block of `blockSize` bytes of one stored file, computed as the file is
 * written (the last block may be shorter; an empty file has no blocks). See PartRecord.blockSize.
 */
export class BlockHasher {
  private readonly hashes: string[] = []
  private current: Hash | undefined
  private filled = 0

  constructor(private readonly blockSize: number) {}

  update(data: Uint8Array): void {
    for (let offset = 0; offset < data.length;) {
      this.current ??= createHash('sha256')
      const taken = Math.min(data.length - offset, this.blockSize - this.filled)
      this.current.update(data.subarray(offset, offset + taken))
      this.filled += taken
      offset += taken
      if (this.filled === this.blockSize) this.seal()
    }
  }

  /** Every block's sha256, in order, the shorter last one included. */
  digest(): string[] {
    if (this.filled > 0) this.seal()
    return this.hashes
  }

  private seal(): void {
    this.hashes.push((this.current as Hash).digest('hex'))
    this.current = undefined
    this.filled = 0
  }
}
