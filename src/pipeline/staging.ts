import { dirname } from 'node:path'
import { PassThrough, type Readable, type Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { HashingCounter } from '../kernel/checksum.js'
import { AGE_EXTENSION, encryptStream } from '../kernel/encryption.js'
import { isOutOfSpace, RunnerSpaceError } from '../kernel/errors.js'
import { formatBytes, formatSeconds, type Logger } from '../kernel/log.js'
import { partFileName, type PartRecord } from '../kernel/manifest.js'
import { progressReporter } from '../kernel/progress.js'
import type { PartExtras, PartSink, PartSpec } from '../recipes/recipe.js'
import { ChunkedFileWriter, CHUNKS_WAITING_PER_PART, type HandOver } from './chunk-writer.js'
import type { DrillFinish, DrillPartResult, DrillSession } from './drill.js'

export interface StagingOptions {
  /** age recipients: each part is encrypted as it streams in, before it is stored. */
  recipients?: string[]
  /** With verify: drill, the drill reads each part's plaintext as it streams (a tee): nothing is kept for it. */
  drill?: DrillSession
  /** Where each finished file goes (the store session); it is deleted from the runner once stored. Without it, files stay. */
  handOver?: HandOver
  /** Stored content is cut into files of at most this many bytes (chunk-size). */
  chunkSize?: number
  /** The store's own directory (StoreSession.writeDirectory): parts are written there, not in the staging directory. */
  storeDir?: string
}

/**
 * Parts stream through one staging directory on the runner: hashed and counted as they come, encrypted
 * when asked, cut into chunks that go to the store one by one and are deleted once stored, so the runner
 * never holds a whole part. Nothing is read back into memory; a failed
 * part's files are removed so they cannot be mistaken for good ones.
 */
export class StagingDirectory implements PartSink {
  private readonly slots = new PartSlots()
  private readonly recipients: string[]
  private readonly chunkSize: number
  /** Each part's drill result, by part name, settled once its check is finished. */
  private readonly drilled = new Map<string, Promise<DrillPartResult>>()

  get parts(): PartRecord[] {
    return this.slots.records()
  }

  constructor(
    readonly dir: string,
    private readonly backupId: string,
    private readonly logger: Logger,
    private readonly options: StagingOptions = {}
  ) {
    this.recipients = options.recipients ?? []
    this.chunkSize = options.chunkSize ?? Number.POSITIVE_INFINITY
  }

  /** The drill's results in the manifest's part order, once every check has finished. */
  async drillResults(): Promise<DrillPartResult[]> {
    return Promise.all(this.parts.flatMap(part => this.drilled.get(part.name) ?? []))
  }

  async addPart(spec: PartSpec, produce: (out: Writable) => Promise<PartExtras | void>): Promise<PartRecord> {
    const encrypted = this.recipients.length > 0
    const file = partFileName(this.backupId, spec.name, `${spec.extension}${encrypted ? AGE_EXTENSION : ''}`)
    const { storeDir, handOver } = this.options
    const chunked = new ChunkedFileWriter(storeDir ?? this.dir, file, this.chunkSize, handOver, storeDir !== undefined)
    let watching: Promise<DrillFinish> | undefined
    let record: PartRecord
    try {
      record = await streamPart(this.slots, { ...spec, file }, produce, {
        progress: progressReporter(this.logger, spec.name, Date.now()),
        write: content => {
          const stored = encrypted ? new HashingCounter() : content
          const drillInput = this.options.drill ? new PassThrough() : undefined
          if (drillInput) watching = this.options.drill?.watch(spec, drillInput)
          return { stored, done: this.branch(content, stored, chunked, drillInput) }
        },
        describe: () => chunked.describe(),
        discard: async () => {
          chunked.destroy()
        }
      })
    } catch (error) {
      // The drill read what came; its check ends with the failed part (the backup fails anyway).
      await watching?.catch(() => undefined)
      if (isOutOfSpace(error)) throw this.outOfSpace(spec.name, chunked.written, error)
      throw error
    }
    if (watching) {
      const finished = record
      this.drilled.set(
        spec.name,
        watching.then(finish => finish(finished))
      )
    }
    const pieces = record.chunks ? ` in ${record.chunks.length} chunks` : ''
    this.logger.info(`${spec.name}: ${formatBytes(record.bytes)}${pieces} in ${formatSeconds(record.durationMs)}, sha256 ${record.sha256}`)
    return record
  }

  /** The content goes to the chunks (through age when encrypting) and, with the drill, to the drill as well, at the pace of the slower. */
  private async branch(content: HashingCounter, stored: HashingCounter, chunked: ChunkedFileWriter, drillInput: PassThrough | undefined): Promise<void> {
    const toStore = (source: Readable): Promise<void> =>
      this.recipients.length > 0 ? encryptStream(this.recipients, source).then(cipher => pipeline(cipher, stored, chunked)) : pipeline(source, chunked)
    if (!drillInput) return toStore(content)
    const branches = [new PassThrough(), drillInput]
    for (const branch of branches) content.pipe(branch)
    // pipe() does not pass a failure on: a producer that gave up must fail both branches, not leave them waiting.
    content.once('close', () => {
      for (const branch of branches) if (!branch.writableEnded) branch.destroy(new Error('the part was not completed'))
    })
    await toStore(branches[0])
  }

  private outOfSpace(part: string, written: number, cause: unknown): RunnerSpaceError {
    const { storeDir } = this.options
    if (storeDir !== undefined) {
      return new RunnerSpaceError(
        `The store directory ${dirname(storeDir)} ran out of space while writing the part ${part} (${formatBytes(written)} of it written). Nothing was stored: what this backup had written there was removed.`,
        'free space in the store directory (delete old backups there, or keep fewer with keep-last or keep-daily), or choose a store-path with more room; then run the backup again.',
        { cause }
      )
    }
    if (!Number.isFinite(this.chunkSize)) return new RunnerSpaceError(`The temp directory ${dirname(this.dir)} ran out of space while staging the part ${part}.`, 'free space there.', { cause })
    const perPart = formatBytes((CHUNKS_WAITING_PER_PART + 1) * this.chunkSize)
    return new RunnerSpaceError(
      `The runner's temp directory ${dirname(this.dir)} ran out of space while staging the part ${part} (${formatBytes(written)} of it staged). A backup keeps up to ${CHUNKS_WAITING_PER_PART + 1} chunks of chunk-size (${formatBytes(this.chunkSize)}) per part on the runner while they upload, so it needs about ${perPart} free there for each part made at the same time. Nothing was stored.`,
      'free space in RUNNER_TEMP, or set chunk-size lower; then run the backup again.',
      { cause }
    )
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
  /** More of the record, known once the part is stored (its chunks). */
  describe?(): Partial<PartRecord>
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
  // Where the bytes go can fail while the producer still runs (a full disk): stop the producer at once,
  // and report that failure, not the broken pipe the producer then sees. A premature close is not such a
  // failure: it only says the producer's side closed first, and the producer's own error says why.
  let landingFailure: unknown
  const landed = done.catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      landingFailure = error
      content.destroy(error as Error)
    }
    throw error
  })
  landed.catch(() => undefined) // observed here, awaited below: a rejection mid-part is not "unhandled"
  let extras: PartExtras | void
  try {
    extras = await produce(content)
    content.end()
    await landed
  } catch (error) {
    content.destroy()
    await landed.catch(() => undefined)
    await writer.discard()
    throw landingFailure ?? error
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
    ...writer.describe?.(),
    ...(extras ?? {})
  }
  slots.fill(slot, record)
  return record
}
