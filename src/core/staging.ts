import { createReadStream, createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { PassThrough, Transform, type Readable, type Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { HashingCounter } from './checksum.js'
import { AGE_EXTENSION, encryptStream } from './encryption.js'
import { formatBytes, type Logger } from './log.js'
import { partFileName, type Compression, type PartKind, type PartRecord } from './manifest.js'

export interface PartSpec {
  name: string
  kind: PartKind
  compression: Compression
  /** File name ending, e.g. ".tar.zst". */
  extension: string
}

export type PartExtras = Pick<PartRecord, 'tables' | 'details' | 'warnings' | 'incremental'>

/** Where a recipe's backup() puts its parts. The producer writes the part's bytes into `out`. */
export interface PartSink {
  addPart(spec: PartSpec, produce: (out: Writable) => Promise<PartExtras | void>): Promise<PartRecord>
}

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
    const slot = this.slots.reserve(spec.name)
    const encrypted = this.recipients.length > 0
    const file = partFileName(this.backupId, spec.name, `${spec.extension}${encrypted ? AGE_EXTENSION : ''}`)
    const path = join(this.dir, file)
    const started = Date.now()
    const progress = progressReporter(this.logger, spec.name, started)
    const counter = new HashingCounter(progress)
    const stored = encrypted ? new HashingCounter() : counter
    const written = encrypted ? this.encryptTo(counter, stored, path, file) : pipeline(counter, createWriteStream(path, { mode: 0o600 }))
    let extras: PartExtras | void
    try {
      extras = await produce(counter)
      counter.end()
      await written
    } catch (error) {
      counter.destroy()
      await written.catch(() => undefined)
      await rm(path, { force: true })
      throw error
    }
    const record: PartRecord = {
      name: spec.name,
      file,
      kind: spec.kind,
      compression: spec.compression,
      bytes: stored.bytes,
      sha256: stored.digest(),
      durationMs: Date.now() - started,
      ...(encrypted ? { encryption: 'age' as const, plaintext: { bytes: counter.bytes, sha256: counter.digest() } } : {}),
      ...(extras ?? {})
    }
    this.logger.info(`${spec.name}: ${formatBytes(record.bytes)} in ${(record.durationMs / 1000).toFixed(1)} s, sha256 ${record.sha256}`)
    this.slots.fill(slot, record)
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

/** A part file read for the host, logging its progress like a backup's parts do. */
export function readWithProgress(path: string, name: string, logger: Logger, intervalMs = 10_000): Readable {
  const report = progressReporter(logger, name, Date.now(), intervalMs)
  let bytes = 0
  // Counted in a Transform, not a 'data' listener: a listener starts the flow at once, and whatever is read
  // before the caller pipes the stream (e.g. while a database is dropped and re-created) would be lost.
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length
      report(bytes)
      done(null, chunk)
    }
  })
  const source = createReadStream(path)
  source.once('error', error => counter.destroy(error))
  return source.pipe(counter)
}

/** Logs bytes so far and throughput at most every 10 s, so long parts show they are alive. */
export function progressReporter(logger: Logger, name: string, started: number, intervalMs = 10_000): (bytes: number) => void {
  let lastReport = started
  return bytes => {
    const now = Date.now()
    if (now - lastReport < intervalMs) return
    lastReport = now
    const rate = bytes / Math.max((now - started) / 1000, 0.001)
    logger.info(`${name}: ${formatBytes(bytes)} so far (${formatBytes(rate)}/s)`)
  }
}
