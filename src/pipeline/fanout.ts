import { once } from 'node:events'
import { PassThrough } from 'node:stream'

/** One consumer of a fan-out: the stream it reads and the promise of its result. */
interface Outlet {
  stream: PassThrough
  done: Promise<unknown>
  /** Set when `done` settled: the consumer stopped reading, so nothing more is written to it. */
  closed: boolean
  settled: Promise<void>
}

/**
 * Sends one stream of bytes to several consumers at once (the host, the runner's tar listing) at the pace
 * of the slowest, so nothing piles up in memory. A consumer that ends or fails early stops the wait for it
 * instead of hanging the writer; its result says what happened.
 */
export class Fanout {
  private readonly outlets: Outlet[] = []

  /** Adds a consumer: `start` receives the stream to read and returns the promise of its result. */
  add<T>(start: (input: PassThrough) => Promise<T>): Promise<T> {
    const stream = new PassThrough()
    // A consumer whose process exited destroys its input; a late write must not become an unhandled error.
    stream.on('error', () => undefined)
    const done = start(stream)
    const outlet: Outlet = { stream, done, closed: false, settled: Promise.resolve() }
    outlet.settled = done.then(
      () => {
        outlet.closed = true
      },
      () => {
        outlet.closed = true
      }
    )
    this.outlets.push(outlet)
    return done
  }

  async write(data: Uint8Array): Promise<void> {
    const waits: Promise<unknown>[] = []
    for (const outlet of this.outlets) {
      if (outlet.closed || outlet.stream.destroyed) continue
      if (!outlet.stream.write(data)) waits.push(Promise.race([once(outlet.stream, 'drain'), outlet.settled]))
    }
    if (waits.length > 0) await Promise.all(waits)
  }

  /** Ends every consumer's input and waits for all of them; the first failure is thrown. */
  async finish(): Promise<unknown[]> {
    for (const outlet of this.outlets) outlet.stream.end()
    return Promise.all(this.outlets.map(outlet => outlet.done))
  }

  /** Ends every consumer's input and waits for them to stop, whatever they answer (the bytes are already known to be bad). */
  async abandon(): Promise<void> {
    for (const outlet of this.outlets) outlet.stream.end()
    await Promise.allSettled(this.outlets.map(outlet => outlet.done))
  }
}
