import { createReadStream } from 'node:fs'
import { Transform, type Readable } from 'node:stream'
import { formatBytes, type Logger } from './log.js'

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
