import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { Writable } from 'node:stream'
import { LocalTransport } from '../../src/transport/local.js'
import { hashingSink, MEBIBYTE } from '../support/transport-probes.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as (options?: { type: string }) => void

async function measure(label: string, work: () => Promise<unknown>, assist: boolean) {
  gc()
  const before = process.memoryUsage().rss
  let peak = before
  const timer = setInterval(() => { if (assist) gc({ type: 'minor' }); peak = Math.max(peak, process.memoryUsage().rss) }, 10)
  await work()
  peak = Math.max(peak, process.memoryUsage().rss)
  clearInterval(timer)
  console.log(label, assist, ((peak - before) / MEBIBYTE).toFixed(1))
}

test('rss', async () => {
  const t = new LocalTransport({ sudo: false })
  for (const assist of [false, true, false, true]) {
    const sink = hashingSink()
    await measure('good', async () => { await t.run('head -c 67108864 /dev/urandom', { stdout: sink.stream }); await sink.digest() }, assist)
    const held: Buffer[] = []
    const bad = new Writable({ write(c: Buffer, _e, cb) { held.push(c); cb() } })
    await measure('bad', async () => { await t.run('head -c 67108864 /dev/urandom', { stdout: bad }) }, assist)
    held.length = 0
  }
})
