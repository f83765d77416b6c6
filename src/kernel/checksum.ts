import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'

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

export async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256')
  let bytes = 0
  await pipeline(createReadStream(path), async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      hash.update(chunk)
      bytes += chunk.length
    }
    yield* []
  })
  return { sha256: hash.digest('hex'), bytes }
}
