import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export interface ByteCounts {
  /** Runner → host. */
  up: number
  /** Host → runner. */
  down: number
  connections: number
}

export interface ByteProxy {
  port: number
  pid: number
  counts(): Promise<ByteCounts>
  stop(): Promise<void>
}

const SCRIPT = fileURLToPath(new URL('./proxy-process.mjs', import.meta.url))

/** Starts bench/measur./proxy-process.mjs in front of `targetPort`; stop() ends that process only. */
export async function startByteProxy(targetPort: number): Promise<ByteProxy> {
  const child: ChildProcess = fork(SCRIPT, [String(targetPort)], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', code => reject(new Error(`byte proxy exited (${code}) before listening`)))
    child.once('message', (message: { type?: string; port?: number }) =>
      message.type === 'listening' && message.port ? resolve(message.port) : reject(new Error('byte proxy sent an unexpected message'))
    )
  })
  child.removeAllListeners('exit')
  return {
    port,
    pid: child.pid as number,
    counts: () =>
      new Promise<ByteCounts>((resolve, reject) => {
        const onMessage = (message: ByteCounts & { type?: string }) => {
          if (message.type !== 'counts') return
          child.off('message', onMessage)
          resolve({ up: message.up, down: message.down, connections: message.connections })
        }
        child.on('message', onMessage)
        if (!child.send({ type: 'read' })) reject(new Error('byte proxy is gone'))
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise(resolve => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
  }
}
