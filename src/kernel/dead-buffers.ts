import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** How often the process collects its garbage while it runs (each collection costs CPU: +0.3-0.8 s over a Tabby backup or restore here). */
const COLLECT_EVERY_MS = 200

/**
 * Keeps the runner's memory flat however much data streams through. Every read from a pipe, a socket or a
 * file hands over a new buffer (64 KiB from a child's pipe), dead as soon as it is written on, and V8
 * frees dead buffers only when a full collection comes; a stream makes almost no other garbage, so that
 * comes only after about 64 MB of them have piled up: more than a small part ever reaches, less than a
 * large one does, so the peak grew with the data. Measured in the bench (Tabby, one run each): a backup
 * peaked at 85 then 99 MB at 4 × the data and an upload to the artifact service at 208 MB; with a full
 * collection every 200 ms, 83 then 91 MB and 149 MB. A collection only when the buffers' and the heap's
 * memory had grown by 16 MB did not hold the 4 × peak down (86 then 98 MB): what it saves is not all in
 * what process.memoryUsage() shows. For the action's and the command line's own process only: in a
 * bigger process (a test runner) a full collection is costly, so they alone call this, for the process's
 * whole life (the timer does not keep it alive).
 */
export function collectDeadBuffers(): void {
  const collect = garbageCollector()
  if (collect) setInterval(collect, COLLECT_EVERY_MS).unref()
}

/** V8's own collector: exposed by the flag, which takes effect in a context made after it is set. */
function garbageCollector(): (() => void) | undefined {
  const existing = (globalThis as { gc?: unknown }).gc
  if (typeof existing === 'function') return () => existing()
  try {
    setFlagsFromString('--expose-gc')
    const exposed: unknown = runInNewContext('gc')
    return typeof exposed === 'function' ? () => exposed() : undefined
  } catch {
    // Without it the process still works: its buffers wait for V8's own collection, as before.
    return undefined
  }
}
