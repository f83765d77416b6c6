import { spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

export interface AzuriteProcess {
  /** Blob endpoint without the account segment, e.g. http://127.0.0.1:41234 */
  blobEndpoint: string
  pid: number
  stop(): Promise<void>
}

const startTimeoutMs = 30_000
const stopTimeoutMs = 5_000

/**
 * Starts Azurite's blob service on a loopback port the OS picks. Port 0 avoids
 * the race of probing a free port first; Azurite prints the port it really got.
 */
export async function startAzurite(dataDirectory: string): Promise<AzuriteProcess> {
  const require = createRequire(import.meta.url)
  const azuriteBlobMain = require.resolve('azurite/dist/src/blob/main.js')
  const logPath = join(dataDirectory, 'azurite.log')
  const log = createWriteStream(logPath)
  const child = spawn(
    process.execPath,
    [
      azuriteBlobMain,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      '0',
      '--location',
      dataDirectory,
      '--silent',
      // The storage SDK sends a newer x-ms-version than Azurite knows.
      '--skipApiVersionCheck',
      // Without this Azurite phones home; tests must stay on loopback.
      '--disableTelemetry',
      '--loose'
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  )
  const pid = child.pid
  if (pid === undefined) {
    log.end()
    throw new Error(`Could not spawn Azurite (${azuriteBlobMain}).`)
  }

  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  const blobEndpoint = await new Promise<string>((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => {
      fail(new Error(`Azurite did not start within ${startTimeoutMs} ms. Its output:\n${output}`))
    }, startTimeoutMs)
    const onData = (chunk: Buffer): void => {
      log.write(chunk)
      output += chunk.toString('utf8')
      const match = /successfully listens on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    const fail = (error: Error): void => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(error)
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('error', fail)
    child.once('exit', code => fail(new Error(`Azurite exited with code ${code} before listening. Its output:\n${output}`)))
  })

  let stopping: Promise<void> | undefined
  const stop = async (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        // Ask nicely first so Azurite flushes its metadata files, then insist.
        process.kill(pid, 'SIGTERM')
        const timer = setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL')
        }, stopTimeoutMs)
        await exited
        clearTimeout(timer)
      }
      await new Promise<void>(resolve => log.end(resolve))
    })()
    return stopping
  }

  return { blobEndpoint, pid, stop }
}
