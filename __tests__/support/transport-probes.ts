/**
 * Instruments for the transport contract suite: streams that hash what passes through them, a peak-RSS
 * sampler, a recording logger, throw-away ssh keys, and a reader of every process's command line and
 * environment. Nothing here fakes a transport; these only observe real ones.
 */
import { createHash, randomBytes } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable, Writable } from 'node:stream'
import type { Logger } from '../../src/core/log.js'
import { runCommand } from './sshd.js'

export const MEBIBYTE = 1024 * 1024

/** A Writable that hashes every byte and acknowledges each chunk a tick later, like a slow disk. */
export function hashingSink(): { stream: Writable; bytes: () => number; digest: () => Promise<string> } {
  const hash = createHash('sha256')
  let bytes = 0
  const stream = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      hash.update(chunk)
      bytes += chunk.length
      setImmediate(callback)
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

/** Samples this process's RSS every few milliseconds while `work` runs and returns the peak growth. */
export async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const before = process.memoryUsage().rss
  let peak = before
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 5)
  try {
    const result = await work()
    peak = Math.max(peak, process.memoryUsage().rss)
    return { result, growth: peak - before }
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

/** The body lines of a PEM/OpenSSH private key: the secret part, without the BEGIN/END markers. */
export function secretLinesOf(privateKey: string): string[] {
  return privateKey
    .split('\n')
    .map(line => line.trim())
    .filter(line => line !== '' && !line.startsWith('-----'))
}

/** The command line (NULs as spaces) and environment of every live process, read from /proc as root. */
export async function everyProcessText(): Promise<{ pid: number; commandLine: string; environment: string }[]> {
  const pids = (await readdir('/proc')).filter(entry => /^\d+$/.test(entry))
  const read = (pid: string, file: string): Promise<string> => readFile(`/proc/${pid}/${file}`, 'utf8').then(text => text.replace(/\0/g, ' '), () => '')
  return Promise.all(pids.map(async pid => ({ pid: Number(pid), commandLine: await read(pid, 'cmdline'), environment: await read(pid, 'environ') })))
}

/** Counts lines of the sshd log that match, e.g. one "Accepted publickey" per authenticated connection. */
export async function countLogLines(logFile: string, pattern: RegExp): Promise<number> {
  return (await readFile(logFile, 'utf8')).split('\n').filter(line => pattern.test(line)).length
}
