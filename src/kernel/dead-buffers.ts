import { getHeapStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** How often the process looks whether it has been busy since it last looked. */
const CHECK_EVERY_MS = 100

/** CPU time over one check's interval (10 % of a core) that marks the process as streaming. */
const BUSY_MICROSECONDS = 10_000

/**
 * Keeps the runner's memory flat however much data streams through. Every read from a pipe, a socket or a
 * file hands over a new buffer (64 KiB from a child's pipe), dead as soon as it is written on, and V8
 * frees dead buffers only when a collection reaches them; a stream makes almost no other garbage, so that
 * came only after about 64 MB of them had piled up: more than a small part ever reaches, less than a
 * large one does, so the peak grew with the data (the bench: a backup peaked at 85 then 99 MB at 4 × the
 * data, an upload to the artifact service at 208 MB).
 *
 * A young-generation collection frees a stream's buffers as well as a full one does, because they die
 * young, at a tenth of its cost, and it runs only while the process is busy: a full collection every
 * 200 ms, the first version of this, cost about 0.2 s of CPU for every second the process lived, idle or
 * not, which made the action's own process the biggest CPU user of a test run. Between two collections
 * the dead buffers grow by the stream's pace times the interval, hence 100 ms. Measured on Node 24 over
 * 320 MiB streamed at 100 MB/s (see the unit test), on a loaded machine: peak buffer memory 64-69 MiB
 * left to V8, 11-15 MiB with a full collection every 200 ms, 12-13 MiB with this (19-29 MiB when it
 * looked every 200 ms); CPU over 5 s idle 1.0-1.1 s with the full collection, 16-18 ms with this; CPU
 * of the stream itself 1.1-1.2 s alone, 3.1-3.3 s with the full collection, 1.5-1.7 s with this.
 *
 * For the action's and the command line's own process only: a test runner's heap is no model of it. It
 * runs for the process's whole life; the timer does not keep the process alive.
 */
export function collectDeadBuffers(): void {
  keepYoungGenerationSmall()
  const collect = deadBufferCollector()
  if (!collect) return
  collector = collect
  let since = process.cpuUsage()
  setInterval(() => {
    const used = process.cpuUsage(since)
    if (used.user + used.system >= BUSY_MICROSECONDS) collect()
    // Measured after the collection, so its own CPU never counts as the next interval's work.
    since = process.cpuUsage()
  }, CHECK_EVERY_MS).unref()
}

/** The collection, once this process has asked for it (the action's and the command line's own; never a test runner's). */
let collector: (() => void) | undefined
let bytesSinceCollection = 0

/** Dead bytes a faster stream may pile up before it collects them itself, without waiting for the timer. */
const COLLECT_AFTER_BYTES = 8 * 1024 * 1024

/**
 * For a stream faster than the timer: a download from the artifact service on the same machine arrives
 * at several hundred MB/s in 64 KiB reads, each dead once written to disk, so 100 ms between collections
 * let 30 MB of them pile up (sampled inside a SeaTable restore from artifacts: 33 MB of buffers alive at
 * its 114 MB peak, 3-9 MB in the same restore from the local store), and a timer waits behind I/O
 * callbacks when the loop is busy: a SeaTable restore at 4 × the data held 20 MB of buffers at its peak
 * against 9 MB at 1 ×. So the streams that read most (downloads, a restore's chunks, the tar listing)
 * report what they read, and every 8 MiB the young generation is collected. A no-op where
 * collectDeadBuffers was not called.
 */
export function deadBytesRead(bytes: number): void {
  if (!collector) return
  bytesSinceCollection += bytes
  if (bytesSinceCollection < COLLECT_AFTER_BYTES) return
  bytesSinceCollection = 0
  collector()
}

/**
 * Buffers that die in the young generation are freed by its collection, but a buffer still in flight at
 * two of them (waiting in a pipe's queue while the runner's tar listing brings a young collection every
 * few milliseconds with its strings) is promoted to the old generation, and there its memory waits for a
 * full collection, which V8 starts only when such memory has grown by about 64 MB: the longer a stream
 * ran, the nearer its peak came to that mark. So a full collection runs whenever buffer memory has grown
 * 8 MB above the least it has been after a collection. Measured outside the action on Node 24 (a 1 GB
 * and a 4 GB tarball streamed through the restore's block check into the runner's listing and a child
 * process, two runs each): peaks 113-114 and 130-131 MB without this, 93 and 96 MB with 16 MB, 87 and
 * 88-90 MB with 8 MB, for 26 full collections of a 10 MB heap over the 4 GB (0.2 s of its 50 CPU
 * seconds) and the same wall time.
 */
const PROMOTED_BUFFER_BYTES = 8 * 1024 * 1024

/** V8's own collector, asked for a young-generation pass, and for a full one when promoted buffers pile up: exposed by the flag, which takes effect in a context made after it is set. */
function deadBufferCollector(): (() => void) | undefined {
  const existing = (globalThis as { gc?: unknown }).gc
  const exposed = typeof existing === 'function' ? existing : exposeCollector()
  if (typeof exposed !== 'function') return undefined
  // The least buffer memory seen after a collection: what the process holds alive, near enough.
  let floor = Number.POSITIVE_INFINITY
  return () => {
    exposed({ type: 'minor' })
    const buffers = getHeapStatistics().external_memory
    if (buffers > floor + PROMOTED_BUFFER_BYTES) {
      exposed()
      floor = getHeapStatistics().external_memory
    } else floor = Math.min(floor, buffers)
  }
}

function exposeCollector(): unknown {
  try {
    setFlagsFromString('--expose-gc')
    return runInNewContext('gc')
  } catch {
    // Without it the process still works: its buffers wait for V8's own collection, as before.
    return undefined
  }
}

/**
 * V8 doubles its young generation when many objects survive a collection, and a stream's in-flight
 * buffers and the collections above make that happen: a restore from artifacts reached 20-22 MB of
 * heap where 13-16 MB held everything live. Growing by a factor of 1 keeps it at its starting size; the
 * flag is read at each growth, so setting it after start-up works. Measured on the bench's Tabby rows
 * (bundles of ba1dbc5 without and with it, one run each): peaks 96 -> 90 MB restoring from the local
 * store, 121 -> 115 MB from artifacts, 100 -> 96 MB backing up to artifacts, for the same CPU within
 * the runs' noise; SeaTable's restore from artifacts peaked at 135 MB with it (157 MB without, another run).
 */
function keepYoungGenerationSmall(): void {
  try {
    setFlagsFromString('--semi-space-growth-factor=1')
  } catch {
    // A runtime without the flag keeps V8's own growth: more memory, same behaviour.
  }
}
