import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { PassThrough, type Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { HashingCounter } from '../kernel/checksum.js'
import { AGE_EXTENSION, encryptStream } from '../kernel/encryption.js'
import { formatBytes, type Logger } from '../kernel/log.js'
import { partFileName, type PartRecord } from '../kernel/manifest.js'
import { progressReporter } from '../kernel/progress.js'
import type { PartExtras, PartSink, PartSpec } from '../recipes/recipe.js'

/**
 * Parts land as files in one staging directory, hashed and counted while they stream in. Nothing is
 * read back into memory; a failed part's file is removed so it cannot be mistaken for a good one.
 */
export class StagingDirectory implements PartSink {
  private readonly slots = new PartSlots()

  get parts(): PartRecord[] {
    return this.slots.records()
  }

  constructor(
    readonly dir: string,
    private readonly backupId: string,
    private readonly logger: Logger,
    /** age recipients: each part is encrypted as it streams in, before it is stored. */
    private readonly recipients: string[] = [],
    /** With encryption: also keep the plaintext here (a private dir) for the restore drill, which cannot decrypt. */
    private readonly plaintextDir?: string,
    /** Called with each finished part (e.g. to start its upload); throwing fails the part. */
    private readonly whenComplete?: (record: PartRecord) => void
  ) {}

  /** Where each part's plaintext is, for the drill. */
  plaintextPath(record: PartRecord): string {
    return record.encryption && this.plaintextDir ? join(this.plaintextDir, record.file.slice(0, -AGE_EXTENSION.length)) : join(this.dir, record.file)
  }

  async addPart(spec: PartSpec, produce: (out: Writable) => Promise<PartExtras | void>): Promise<PartRecord> {
    const encrypted = this.recipients.length > 0
    const file = partFileName(this.backupId, spec.name, `${spec.extension}${encrypted ? AGE_EXTENSION : ''}`)
    const path = join(this.dir, file)
    const record = await streamPart(this.slots, { ...spec, file }, produce, {
      progress: progressReporter(this.logger, spec.name, Date.now()),
      write: counter => {
        if (!encrypted) return { stored: counter, done: pipeline(counter, createWriteStream(path, { mode: 0o600 })) }
        const stored = new HashingCounter()
        return { stored, done: this.encryptTo(counter, stored, path, file) }
      },
      discard: () => rm(path, { force: true })
    })
    this.logger.info(`${spec.name}: ${formatBytes(record.bytes)} in ${(record.durationMs / 1000).toFixed(1)} s, sha256 ${record.sha256}`)
    this.whenComplete?.(record)
    return record
  }

  private async encryptTo(plaintext: HashingCounter, stored: HashingCounter, path: string, file: string): Promise<void> {
    const branches = [new PassThrough(), ...(this.plaintextDir ? [new PassThrough()] : [])]
    for (const branch of branches) plaintext.pipe(branch)
    // pipe() does not pass a failure on: a producer that gave up must fail both copies, not leave them waiting.
    plaintext.once('close', () => {
      for (const branch of branches) if (!branch.writableEnded) branch.destroy(new Error('the part was not completed'))
    })
    const [toCipher, toCopy] = branches
    const copies: Promise<void>[] = [pipeline(await encryptStream(this.recipients, toCipher), stored, createWriteStream(path, { mode: 0o600 }))]
    if (toCopy && this.plaintextDir) {
      copies.push(pipeline(toCopy, createWriteStream(join(this.plaintextDir, file.slice(0, -AGE_EXTENSION.length)), { mode: 0o600 })))
    }
    await Promise.all(copies)
  }
}

/** Parts may be produced concurrently (database dumps); the manifest lists them in the order they were started. */
export class PartSlots {
  private readonly names: string[] = []
  private readonly filled: (PartRecord | undefined)[] = []

  reserve(name: string): number {
    if (this.names.includes(name)) throw new Error(`part ${name} was added twice`)
    this.filled.push(undefined)
    return this.names.push(name) - 1
  }

  fill(slot: number, record: PartRecord): void {
    this.filled[slot] = record
  }

  records(): PartRecord[] {
    return this.filled.filter((record): record is PartRecord => record !== undefined)
  }
}

/** Where a sink sends a part's bytes: `stored` hashes what lands (the ciphertext, when encrypted), `done` settles when it has landed. */
export interface PartWriter {
  progress?: (bytes: number) => void
  write(content: HashingCounter): { stored: HashingCounter; done: Promise<void> }
  /** Removes what a failed part left behind, so it cannot be mistaken for a good one. */
  discard(): Promise<void>
}

/**
 * What every part sink does: hash and count the content as the producer writes it, send it on, and record
 * it in its slot (sha256 and size of what was stored, and of the plaintext when that differs).
 */
export async function streamPart(slots: PartSlots, spec: PartSpec & { file: string }, produce: (out: Writable) => Promise<PartExtras | void>, writer: PartWriter): Promise<PartRecord> {
  const slot = slots.reserve(spec.name)
  const started = Date.now()
  const content = new HashingCounter(writer.progress)
  const { stored, done } = writer.write(content)
  let extras: PartExtras | void
  try {
    extras = await produce(content)
    content.end()
    await done
  } catch (error) {
    content.destroy()
    await done.catch(() => undefined)
    await writer.discard()
    throw error
  }
  const record: PartRecord = {
    name: spec.name,
    file: spec.file,
    kind: spec.kind,
    compression: spec.compression,
    bytes: stored.bytes,
    sha256: stored.digest(),
    durationMs: Date.now() - started,
    ...(stored !== content ? { encryption: 'age' as const, plaintext: { bytes: content.bytes, sha256: content.digest() } } : {}),
    ...(extras ?? {})
  }
  slots.fill(slot, record)
  return record
}
