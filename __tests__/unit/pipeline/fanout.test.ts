/**
 * The fan-out that sends one stream to the host and to the runner's checks at once: the slowest consumer
 * sets the pace, and a consumer that stops early (its process exited) neither hangs the writer nor loses
 * the others their bytes.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PassThrough } from 'node:stream'
import { promisify } from 'node:util'
import { NODE24 } from '../../support/action-runner.js'
import { Fanout } from '../../../src/pipeline/fanout.js'

async function readAll(input: PassThrough, delayMs = 0): Promise<number> {
  let bytes = 0
  for await (const chunk of input as AsyncIterable<Buffer>) {
    bytes += chunk.length
    if (delayMs > 0) await new Promise(resolve => setTimeout(resolve, delayMs))
  }
  return bytes
}

const block = Buffer.alloc(64 * 1024, 1)

it('gives every consumer every byte, at the pace of the slowest, and answers their results', async () => {
  const outlets = new Fanout()
  let slowRead = 0
  const fast = outlets.add(input => readAll(input))
  const slow = outlets.add(async input => {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      slowRead += chunk.length
      await new Promise(resolve => setTimeout(resolve, 2))
    }
    return slowRead
  })
  let aheadAtMost = 0
  for (let index = 0; index < 64; index++) {
    await outlets.write(block)
    aheadAtMost = Math.max(aheadAtMost, (index + 1) * block.length - slowRead)
  }
  // Backpressure: the writer never runs more than a few blocks ahead of the slow consumer.
  expect(aheadAtMost).toBeLessThanOrEqual(3 * block.length)
  expect(await outlets.finish()).toEqual([64 * block.length, 64 * block.length])
  expect(await fast).toBe(64 * block.length)
  expect(await slow).toBe(64 * block.length)
})

it('does not wait for a consumer that stopped reading, and still feeds the others', async () => {
  const outlets = new Fanout()
  // Reads one block, then gives up without draining (as a process that exits early would).
  const quitter = outlets.add(async input => {
    for await (const chunk of input as AsyncIterable<Buffer>) return chunk.length
    return 0
  })
  const reader = outlets.add(input => readAll(input))
  const writing = (async () => {
    for (let index = 0; index < 200; index++) await outlets.write(block)
  })()
  await expect(Promise.race([writing.then(() => 'written'), new Promise(resolve => setTimeout(() => resolve('hung'), 3_000))])).resolves.toBe('written')
  await outlets.finish()
  expect(await quitter).toBe(block.length)
  expect(await reader).toBe(200 * block.length)
})

it("reports a consumer's failure from finish, and abandon waits for all of them whatever they answer", async () => {
  const failing = new Fanout()
  failing.add(async input => {
    await readAll(input)
    throw new Error('the host said no')
  })
  await failing.write(block)
  await expect(failing.finish()).rejects.toThrow('the host said no')

  const abandoned = new Fanout()
  let ended = false
  abandoned.add(async input => {
    await readAll(input)
    ended = true
  })
  abandoned.add(async () => {
    throw new Error('failed at once')
  })
  await abandoned.write(block)
  await abandoned.abandon()
  expect(ended).toBe(true)
})

/**
 * A part of several GB is tens of thousands of waits for a slow consumer. Measured in a process of its own
 * (a test runner's heap is no model of the action's), after full collections: the heap after 40,000 writes
 * and after 40,000 more must be the same. Waiting on a race against the consumer's end left a reaction on
 * that one promise per wait until the part was over: 4.4 MiB more here, and a SeaTable restore's heap grew
 * with its running time.
 */
const WAITS = `
import { Fanout } from ${JSON.stringify(new URL('../../../src/pipeline/fanout.ts', import.meta.url).href)}
import { getHeapStatistics } from 'node:v8'
import { setImmediate as pause } from 'node:timers/promises'
const outlets = new Fanout()
let waited = 0
let stream
outlets.add(async input => {
  stream = input
  for await (const piece of input) await pause()
})
const piece = Buffer.alloc(32 * 1024)
const heapAfter = async writes => {
  for (let index = 0; index < writes; index++) {
    const write = outlets.write(piece)
    if (stream.writableNeedDrain) waited++
    await write
  }
  globalThis.gc()
  return getHeapStatistics().used_heap_size
}
// Warmed up first: what the first writes leave (compiled code, the stream's own growth) is not the waits'.
await heapAfter(20000)
const before = await heapAfter(20000)
const after = await heapAfter(40000)
await outlets.finish()
console.log(JSON.stringify({ grew: after - before, waited }))
`

it("keeps nothing of a wait for a slow consumer once it is over: the writer's heap stays flat however long the stream", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fanout-'))
  try {
    const script = join(dir, 'waits.mjs')
    await writeFile(script, WAITS)
    const { stdout } = await promisify(execFile)(NODE24, ['--no-warnings', '--expose-gc', script])
    const { grew, waited } = JSON.parse(stdout) as { grew: number; waited: number }
    console.log(`heap growth over 40,000 writes (${waited} of them waited for the consumer): ${(grew / 1024).toFixed(0)} KiB`)
    expect(waited).toBeGreaterThan(5000)
    expect(grew).toBeLessThan(1024 * 1024)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
