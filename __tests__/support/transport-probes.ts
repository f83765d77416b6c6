/**
 * Instruments for the transport contract suite: streams that hash what passes through them, a peak-RSS
 * sampler, a recording logger, throw-away ssh keys, and a reader of every process's command line and
 * environment. Nothing here fakes a transport; these only observe real ones.
 */
import { createHash, randomBytes } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable, Writable } from 'node:stream'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { Logger } from '../../src/kernel/log.js'
import { isPublicLine } from './secret-scan.js'
import { runCommand } from './sshd.js'

export const MEBIBYTE = 1024 * 1024

/**
 * A Writable that hashes every byte and acknowledges each chunk on a later timer turn, like a slow
 * disk: a producer that ignored backpressure would have to queue nearly all of its data.
 */
export function hashingSink(): { stream: Writable; bytes: () => number; digest: () => Promise<string> } {
  const hash = createHash('sha256')
  let bytes = 0
  const stream = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      hash.update(chunk)
      bytes += chunk.length
      setTimeout(callback, 0)
    }
  })
  const finished = new Promise<void>((resolve, reject) => {
    stream.once('finish', resolve)
    stream.once('error', reject)
  })
  return {
    stream,
    bytes: () => bytes,
    // The transport leaves ending the stream to its caller.
    digest: async () => {
      stream.end()
      await finished
      return hash.digest('hex')
    }
  }
}

/** `size` random bytes produced one MiB at a time; the sha256 is known once the stream has been read. */
export function randomSource(size: number): { stream: Readable; digest: () => string } {
  const hash = createHash('sha256')
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let sent = 0; sent < size; sent += MEBIBYTE) {
      const chunk = randomBytes(Math.min(MEBIBYTE, size - sent))
      hash.update(chunk)
      yield chunk
    }
  }
  return { stream: Readable.from(chunks(), { objectMode: false }), digest: () => hash.digest('hex') }
}

/** Buffer growth past which a sample is taken after a full GC: what is still held then is held for real. */
const PROMOTED_GARBAGE_CHECK = 4 * 1024 * 1024

let collectGarbage: ((options?: { type: 'minor' | 'major' }) => void) | undefined

/** V8's gc(), exposed at run time: jest's NODE_OPTIONS do not include --expose-gc. */
function garbageCollector(): (options?: { type: 'minor' | 'major' }) => void {
  if (!collectGarbage) {
    setFlagsFromString('--expose-gc')
    collectGarbage = runInNewContext('gc') as typeof collectGarbage
  }
  return collectGarbage as (options?: { type: 'minor' | 'major' }) => void
}

/**
 * Peak growth of RSS and of Buffer memory (`arrayBuffers`) while `work` runs. Dead chunks are collected
 * every few milliseconds (a minor GC), so what remains is memory something still holds: V8 would
 * otherwise let up to ~64 MiB of garbage Buffers pile up, and glibc reuses freed pages without RSS
 * moving, so without this neither number tells a streaming transport from one that keeps the data.
 * A minor GC frees only young chunks: one that waited long enough to be promoted (a busy machine, a
 * full test run) is garbage only a full GC frees, so a sample that shows growth is taken again after one.
 */
export async function peakMemoryGrowth<T>(work: () => Promise<T>): Promise<{ result: T; rss: number; arrayBuffers: number }> {
  const gc = garbageCollector()
  gc()
  const before = process.memoryUsage()
  const peak = { rss: before.rss, arrayBuffers: before.arrayBuffers }
  const sample = (): void => {
    let now = process.memoryUsage()
    if (now.arrayBuffers - before.arrayBuffers > PROMOTED_GARBAGE_CHECK) {
      gc()
      now = process.memoryUsage()
    }
    peak.rss = Math.max(peak.rss, now.rss)
    peak.arrayBuffers = Math.max(peak.arrayBuffers, now.arrayBuffers)
  }
  const timer = setInterval(() => {
    gc({ type: 'minor' })
    sample()
  }, 10)
  try {
    const result = await work()
    sample()
    return { result, rss: peak.rss - before.rss, arrayBuffers: peak.arrayBuffers - before.arrayBuffers }
  } finally {
    clearInterval(timer)
  }
}

export interface RecordingLogger extends Logger {
  lines: string[]
  masked: string[]
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = []
  const masked: string[] = []
  return {
    lines,
    masked,
    info: message => lines.push(`info: ${message}`),
    warning: message => lines.push(`warning: ${message}`),
    debug: message => lines.push(`debug: ${message}`),
    async group(title, work) {
      lines.push(`group: ${title}`)
      return work()
    },
    mask: secret => masked.push(secret)
  }
}

/** A fresh ed25519 key pair in `directory`; a passphrase encrypts the private key. */
export async function generateKey(directory: string, name: string, passphrase = ''): Promise<{ privateKey: string; publicKey: string }> {
  const path = join(directory, name)
  const result = await runCommand('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', path])
  if (result.code !== 0) throw new Error(`ssh-keygen failed: ${result.stderr}`)
  return { privateKey: await readFile(path, 'utf8'), publicKey: (await readFile(`${path}.pub`, 'utf8')).trim() }
}

/** The body lines of a PEM/OpenSSH private key that are its own: without the armour and the header line every such key shares. */
export function secretLinesOf(privateKey: string): string[] {
  return privateKey
    .split('\n')
    .map(line => line.trim())
    .filter(line => line !== '' && !isPublicLine(line))
}

/** The command line (NULs as spaces) and environment of every live process, read from /proc as root. */
export async function everyProcessText(): Promise<{ pid: number; commandLine: string; environment: string }[]> {
  const pids = (await readdir('/proc')).filter(entry => /^\d+$/.test(entry))
  const read = (pid: string, file: string): Promise<string> =>
    readFile(`/proc/${pid}/${file}`, 'utf8').then(
      text => text.replace(/\0/g, ' '),
      () => ''
    )
  return Promise.all(pids.map(async pid => ({ pid: Number(pid), commandLine: await read(pid, 'cmdline'), environment: await read(pid, 'environ') })))
}

/** Counts lines of the sshd log that match, e.g. one "Accepted publickey" per authenticated connection. */
export async function countLogLines(logFile: string, pattern: RegExp): Promise<number> {
  return (await readFile(logFile, 'utf8')).split('\n').filter(line => pattern.test(line)).length
}

/** The client port of the newest authenticated connection in the sshd log; sessions are logged with it. */
export async function lastClientPort(logFile: string): Promise<number> {
  const ports = [...(await readFile(logFile, 'utf8')).matchAll(/Accepted publickey for \S+ from \S+ port (\d+)/g)].map(match => Number(match[1]))
  const port = ports.at(-1)
  if (port === undefined) throw new Error(`no authenticated connection in ${logFile}`)
  return port
}
