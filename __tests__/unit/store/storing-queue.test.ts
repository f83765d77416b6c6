import { StoringQueue } from '../../../src/store/store.js'

/** A task the test finishes by hand, recording when it started. */
function gate(log: string[], name: string): { work: () => Promise<void>; open: () => void; fail: (error: Error) => void } {
  let open = (): void => undefined
  let fail = (_error: Error): void => undefined
  const done = new Promise<void>((resolve, reject) => {
    open = resolve
    fail = reject
  })
  return {
    work: async () => {
      log.push(`start ${name}`)
      await done
      log.push(`end ${name}`)
    },
    open: () => open(),
    fail: error => fail(error)
  }
}

const tick = (): Promise<void> => new Promise(resolve => setImmediate(resolve))

describe('StoringQueue', () => {
  test('runs at most `concurrency` items at once, starting them in the order queued', async () => {
    const log: string[] = []
    const queue = new StoringQueue(2)
    const tasks = ['a', 'b', 'c', 'd'].map(name => gate(log, name))
    for (const task of tasks) void queue.push(task.work)
    await tick()
    expect(log).toEqual(['start a', 'start b'])
    tasks[1].open()
    await tick()
    expect(log).toEqual(['start a', 'start b', 'end b', 'start c'])
    tasks[0].open()
    await tick()
    expect(log.slice(-2)).toEqual(['end a', 'start d'])
    tasks[2].open()
    tasks[3].open()
    await queue.drain()
    expect(log.filter(line => line.startsWith('end'))).toHaveLength(4)
  })

  test('one at a time by default', async () => {
    const log: string[] = []
    const queue = new StoringQueue()
    const tasks = ['a', 'b'].map(name => gate(log, name))
    for (const task of tasks) void queue.push(task.work)
    await tick()
    expect(log).toEqual(['start a'])
    tasks[0].open()
    tasks[1].open()
    await queue.drain()
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b'])
  })

  test('after a failure: what runs finishes, what waits is skipped, drain throws the first failure and push refuses', async () => {
    const log: string[] = []
    const queue = new StoringQueue(2)
    const tasks = ['a', 'b', 'c'].map(name => gate(log, name))
    const settled = tasks.map(task => queue.push(task.work))
    await tick()
    tasks[0].fail(new Error('upload a failed'))
    await tick()
    tasks[1].open()
    await Promise.all(settled)
    expect(log).toEqual(['start a', 'start b', 'end b'])
    await expect(queue.drain()).rejects.toThrow('upload a failed')
    expect(() => queue.push(async () => undefined)).toThrow('upload a failed')
    await expect(queue.settle()).resolves.toBeUndefined()
  })
})
