import { createHash } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'

/** Passes bytes through unchanged while hashing and counting them, so a part is hashed as it streams. */
export class HashingCounter extends Transform {
  private readonly hash = createHash('sha256')
  bytes = 0

  constructor(private readonly onProgress?: (bytes: number) => void) {
    super()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk)
    this.bytes += chunk.length
    this.onProgress?.(this.bytes)
    callback(null, chunk)
  }

  digest(): string {
    return this.hash.digest('hex')
  }
}
