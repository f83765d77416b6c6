/**
 * Sentinel secrets and the scans that prove they appear nowhere (issue 6, "Secrets"): logs and
 * runner files, command lines sampled from every process while a step runs (both "machines" are
 * this one, so /proc covers the host side too), stored blobs, shell history. A leak is recorded
 * with where it was found, never thrown on the spot, so one run reports every place at once; the
 * recorded text names the secret by label only, because these reports end up in CI logs.
 */
import { spawnSync } from 'node:child_process'
import { closeSync, openSync, readdirSync, readSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { INPUTS } from '../../src/inputs/definitions.js'

export type LeakChannel = 'log' | 'output' | 'summary' | 'state' | 'command line' | 'environment' | 'blob' | 'shell history' | 'text'
export interface Leak {
  label: string
  channel: LeakChannel
  where: string
  excerpt: string
}
export interface SampleReport {
  sweeps: number
  /** Distinct (pid, command line) pairs looked at. */
  processes: number
  sweepMilliseconds: number
  leaks: Leak[]
  /** Runner-side processes holding a secret only in INPUT_* variables: how the runner hands inputs over, reported apart. */
  inheritedInputs: string[]
}
export interface BlobScanReport {
  scanned: string[]
  skippedEncrypted: string[]
  leaks: Leak[]
}
export interface SampleOptions {
  runnerScript?: string
  intervalMs?: number
  environment?: boolean
  /** Sweeps to make even after `until` settles: a test of the sampler itself asks for a count, not a time window. */
  minimumSweeps?: number
}
interface Secret {
  value: string
  label: string
  wholeValue?: string
}

/** Shorter lines (a key's base64 tail, "-----END …") are too common to call a leak. */
const MIN_LINE_LENGTH = 12
/** A shorter whole value ("true", "x") would match unrelated text; sentinels are long. */
const MIN_VALUE_LENGTH = 8
const ARMOUR_LINE = /^-----(BEGIN|END) [A-Z0-9 ]+-----$/
const AGE_HEADERS = [Buffer.from('age-encryption.org/v1\n'), Buffer.from('-----BEGIN AGE ENCRYPTED FILE-----')]
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd])
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b])
export const SECRET_INPUT_NAMES: readonly string[] = INPUTS.filter(input => input.secret === true).map(input => input.name)

/** Lines of a multi-line secret that are not secret: armour, comments, and headers every such key shares. */
export function isPublicLine(line: string): boolean {
  if (ARMOUR_LINE.test(line)) return true
  // age-keygen writes "# created: …" and "# public key: age1…"; the recipient is public by design.
  if (line.startsWith('#')) return true
  // The first base64 line of every unencrypted OpenSSH key decodes to the same "openssh-key-v1…none…" header.
  return /^[A-Za-z0-9+/=]+$/.test(line) && Buffer.from(line, 'base64').toString('latin1').startsWith('openssh-key-v1')
}

/** The runner consumes `::add-mask::` lines on a step's stdout and never displays them. */
function displayedLog(text: string): string {
  return text
    .split('\n')
    .filter(line => !line.startsWith('::add-mask::'))
    .join('\n')
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '.')
}

let procBuffer = Buffer.alloc(1 << 16)

/**
 * /proc reads are synchronous and into one reused buffer on purpose: the async versions queue on
 * libuv's four threads (a sweep of ~150 processes took ~60 ms), readFileSync ~9 ms, this ~5 ms.
 */
function procFile(pid: string, file: 'cmdline' | 'stat' | 'environ'): string {
  let descriptor: number | undefined
  try {
    descriptor = openSync(`/proc/${pid}/${file}`, 'r')
    let length = 0
    for (let read = -1; read !== 0; length += read) {
      if (length === procBuffer.length) procBuffer = Buffer.concat([procBuffer, Buffer.alloc(procBuffer.length)]) // never truncate
      read = readSync(descriptor, procBuffer, length, procBuffer.length - length, null)
    }
    return procBuffer.toString('utf8', 0, length)
  } catch {
    return '' // gone, or not ours to read
  } finally {
    if (descriptor !== undefined) closeSync(descriptor)
  }
}

/** PF_KTHREAD in /proc/<pid>/stat's flags field. */
const KERNEL_THREAD_FLAG = 0x00200000

/**
 * Pids of kernel threads, which never hold a command line: most of the pids on a test machine, so a
 * sweep skips them instead of reading them 100 times a second. Forgotten every second: a pid comes back
 * only after the kernel's pid counter wraps, which takes far longer than that here.
 */
const kernelThreads = { pids: new Set<string>(), since: 0 }

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses): state, ppid, …, flags at 6. */
function statFields(pid: string): string[] {
  const stat = procFile(pid, 'stat')
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
}

function isKernelThread(pid: string): boolean {
  const flags = Number(statFields(pid)[6])
  return Number.isInteger(flags) && (flags & KERNEL_THREAD_FLAG) !== 0
}

function userPids(): string[] {
  if (performance.now() - kernelThreads.since > 1000) {
    kernelThreads.pids.clear()
    kernelThreads.since = performance.now()
  }
  return readdirSync('/proc').filter(name => /^\d+$/.test(name) && !kernelThreads.pids.has(name))
}

function parentOf(pid: string): string {
  return statFields(pid)[1] ?? '0'
}

/** True when the action's own node process (its command line names runnerScript) is the process or an ancestor. */
function isRunnerSide(pid: string, lineage: Map<string, { parent: string; commandLine: string }>, runnerScript: string | undefined): boolean {
  if (runnerScript === undefined) return false
  for (let current = pid, depth = 0; current !== '0' && current !== '1' && depth < 64; depth++) {
    const known = lineage.get(current) ?? { parent: parentOf(current), commandLine: procFile(current, 'cmdline') }
    if (known.commandLine.includes(runnerScript)) return true
    if (/^sshd/.test(known.commandLine)) return false // the host side: a session under our sshd
    current = known.parent
  }
  return false
}

export class SecretScanner {
  readonly leaks: Leak[] = []
  scans = 0
  private readonly secrets = new Map<string, Secret>()

  get size(): number {
    return this.secrets.size
  }

  register(value: string, label: string): void {
    const whole = value.replace(/\r\n/g, '\n').trim()
    if (whole.length < MIN_VALUE_LENGTH || this.secrets.has(whole)) return
    this.secrets.set(whole, { value: whole, label })
    if (!whole.includes('\n')) return
    // Multi-line secrets leak piecemeal too: a key printed line by line, or one line of it in an error.
    whole
      .split('\n')
      .map(line => line.trim())
      .forEach((line, index) => {
        if (line.length < MIN_LINE_LENGTH || isPublicLine(line) || this.secrets.has(line)) return
        this.secrets.set(line, { value: line, label: `${label} (line ${index + 1})`, wholeValue: whole })
      })
  }

  /** Replaces every registered secret by its label, so excerpts and messages can be shown anywhere. */
  mask(text: string): string {
    return [...this.secrets.values()].sort((a, b) => b.value.length - a.value.length).reduce((masked, secret) => masked.split(secret.value).join(`[${secret.label}]`), text)
  }

  /** Secrets found in the text; a line of a secret is dropped when the whole secret was found too. */
  private findIn(text: string): { secret: Secret; index: number }[] {
    const found = [...this.secrets.values()].map(secret => ({ secret, index: text.indexOf(secret.value) })).filter(hit => hit.index >= 0)
    const wholes = new Set(found.filter(hit => hit.secret.wholeValue === undefined).map(hit => hit.secret.value))
    return found.filter(hit => hit.secret.wholeValue === undefined || !wholes.has(hit.secret.wholeValue))
  }

  private check(text: string, where: string, channel: LeakChannel): Leak[] {
    const leaks = this.findIn(text).map(({ secret, index }) => {
      const line = text.slice(0, index).split('\n').length
      const excerpt = this.mask(text.slice(Math.max(0, index - 40), index + secret.value.length + 40))
      return { label: secret.label, channel, where: text.includes('\n') ? `${where}, line ${line}` : where, excerpt: printable(excerpt) }
    })
    this.leaks.push(...leaks)
    return leaks
  }

  scanText(text: string, where: string, channel: LeakChannel = 'text'): Leak[] {
    this.scans++
    return this.check(text, where, channel)
  }

  /** A step's log as the runner shows it: `::add-mask::` lines are runner commands, consumed and never displayed. */
  scanLog(text: string, where: string): Leak[] {
    return this.scanText(displayedLog(text), where, 'log')
  }

  /** Unencrypted blobs are decompressed first (by magic or name); real age ciphertext may hold anything. */
  scanBlobs(blobs: { name: string; bytes: Buffer }[]): BlobScanReport {
    this.scans++
    const report: BlobScanReport = { scanned: [], skippedEncrypted: [], leaks: [] }
    for (const blob of blobs) {
      // Only skipped when the bytes really are age ciphertext: a plaintext part named .age is itself a bug.
      if (blob.name.endsWith('.age') && AGE_HEADERS.some(header => blob.bytes.subarray(0, header.length).equals(header))) {
        report.skippedEncrypted.push(blob.name)
        continue
      }
      const tool = blob.bytes.subarray(0, 4).equals(ZSTD_MAGIC) || blob.name.endsWith('.zst') ? 'zstd' : blob.bytes.subarray(0, 2).equals(GZIP_MAGIC) || blob.name.endsWith('.gz') ? 'gzip' : undefined
      // A truncated blob (fault tests) still yields what decompressed before the damage: scan that and the raw bytes.
      const plain = tool === undefined ? blob.bytes : Buffer.concat([blob.bytes, spawnSync(tool, ['-dcq'], { input: blob.bytes, maxBuffer: 2 ** 31 }).stdout ?? Buffer.alloc(0)])
      report.scanned.push(blob.name)
      report.leaks.push(...this.check(plain.toString('latin1'), `stored blob ${blob.name}`, 'blob'))
    }
    return report
  }

  /** Missing history files are fine (non-interactive ssh writes none); present ones are read whole. */
  async scanShellHistory(paths: string[]): Promise<Leak[]> {
    this.scans++
    const leaks: Leak[] = []
    for (const path of paths) {
      const text = await readFile(path, 'utf8').catch(() => undefined)
      if (text !== undefined) leaks.push(...this.check(text, `shell history ${path}`, 'shell history'))
    }
    return leaks
  }

  /**
   * Reads every process's command line every ~intervalMs until `until` settles, and each new
   * process's environment once. A secret in INPUT_* of the action's own process tree (found by
   * `runnerScript` among its ancestors) is how the runner passes inputs; anything else is a leak.
   */
  async sampleCommandLines(until: Promise<unknown>, options: SampleOptions = {}): Promise<SampleReport> {
    this.scans++
    return this.watch(until, options)
  }

  /** sampleCommandLines without counting a scan: runAction counts one scan per run in scanRunnerFiles. */
  async watch(until: Promise<unknown>, options: SampleOptions = {}): Promise<SampleReport> {
    let pending = true
    until.then(
      () => (pending = false),
      () => (pending = false)
    )
    const report: SampleReport = { sweeps: 0, processes: 0, sweepMilliseconds: 0, leaks: [], inheritedInputs: [] }
    const seen = new Set<string>()
    // Parent and command line of every process seen, kept across sweeps: short-lived children (a
    // `sleep 0.1` under a shell under the action) are often gone before their ancestry is walked.
    const lineage = new Map<string, { parent: string; commandLine: string }>()
    for (;;) {
      const started = performance.now()
      await this.sweep(seen, lineage, report, options)
      report.sweeps++
      report.sweepMilliseconds += performance.now() - started
      if (!pending && report.sweeps >= (options.minimumSweeps ?? 0)) break
      await new Promise(resolve => setTimeout(resolve, options.intervalMs ?? 10))
    }
    report.processes = seen.size
    return report
  }

  private async sweep(seen: Set<string>, lineage: Map<string, { parent: string; commandLine: string }>, report: SampleReport, options: SampleOptions): Promise<void> {
    const commandLines = userPids().map(pid => [pid, procFile(pid, 'cmdline')] as const)
    for (const [pid, raw] of commandLines) if (raw === '' && isKernelThread(pid)) kernelThreads.pids.add(pid)
    // Kernel threads and zombies have no command line; an unchanged one was scanned in an earlier sweep.
    const fresh = commandLines.filter(([pid, raw]) => raw !== '' && !seen.has(`${pid}\0${raw}`))
    // Parents first, before any process of this sweep has much time to exit.
    for (const [pid, raw] of fresh) lineage.set(pid, { parent: parentOf(pid), commandLine: raw })
    for (const [pid, raw] of fresh) {
      seen.add(`${pid}\0${raw}`)
      const shown = raw.replace(/\0+$/, '').replace(/\0/g, ' ')
      report.leaks.push(...this.check(shown, `command line of pid ${pid}: ${printable(this.mask(shown)).slice(0, 160)}`, 'command line'))
      if (options.environment === false) continue
      const variables = procFile(pid, 'environ').split('\0')
      const holding = variables.filter(variable => this.findIn(variable).length > 0)
      if (holding.length === 0) continue
      const names = holding.map(variable => variable.split('=')[0])
      if (names.every(name => name.startsWith('INPUT_')) && isRunnerSide(pid, lineage, options.runnerScript)) {
        report.inheritedInputs.push(`pid ${pid} (${printable(shown).slice(0, 60)}): ${names.join(', ')}`)
        continue
      }
      for (const variable of holding) {
        report.leaks.push(...this.check(variable, `environment of pid ${pid} (${printable(this.mask(shown)).slice(0, 80)}), ${variable.split('=')[0]}`, 'environment'))
      }
    }
  }

  /**
   * One scan of everything a runner keeps of a step: its logs as displayed, GITHUB_OUTPUT, summary,
   * state. `stdout` marks the stream whose `::add-mask::` commands the runner consumes (as
   * visibleLog does); on stderr such a line is counted, the conservative reading.
   */
  scanRunnerFiles(entries: { text: string; where: string; channel: LeakChannel; stdout?: boolean }[]): Leak[] {
    this.scans++
    return entries.flatMap(({ text, where, channel, stdout }) => this.check(stdout === true ? displayedLog(text) : text, where, channel))
  }

  describe(leak: Leak): string {
    return `${leak.label} in ${leak.channel}: ${leak.where} … ${leak.excerpt}`
  }

  expectNoLeaks(): void {
    if (this.leaks.length > 0) throw new Error(`secrets leaked (${this.leaks.length}):\n  ${this.leaks.map(leak => this.describe(leak)).join('\n  ')}`)
  }
}

/** The scanner runAction and the helpers below share: one per test file (jest gives each file its own modules). */
export const secretScanner = new SecretScanner()

export const registerSecret = (value: string, label: string): void => secretScanner.register(value, label)
export const scanText = (text: string, where: string): Leak[] => secretScanner.scanText(text, where)
export const scanLog = (text: string, where: string): Leak[] => secretScanner.scanLog(text, where)
export const scanBlobs = (blobs: { name: string; bytes: Buffer }[]): BlobScanReport => secretScanner.scanBlobs(blobs)
export const scanShellHistory = (paths: string[]): Promise<Leak[]> => secretScanner.scanShellHistory(paths)
export const sampleCommandLines = (until: Promise<unknown>, options?: SampleOptions): Promise<SampleReport> => secretScanner.sampleCommandLines(until, options)
export const expectNoLeaks = (): void => secretScanner.expectNoLeaks()
export function secretScanTotals(): { scans: number; leaks: Leak[] } {
  return { scans: secretScanner.scans, leaks: [...secretScanner.leaks] }
}

export function registerHostSecrets(host: { clientPrivateKey: string; user: string; port: number }): void {
  registerSecret(host.clientPrivateKey, `ssh key of ${host.user}@127.0.0.1:${host.port}`)
}

export function registerDatabaseSecrets(server: { rootPassword: string }): void {
  registerSecret(server.rootPassword, 'MariaDB root password')
}

/**
 * Registers the values of secret inputs (INPUTS with secret: true) before a run. A value the test
 * also passes in a non-secret input is public by construction (hostile-value tests reuse strings),
 * so the product may print that input; it is left out rather than reported as a false leak.
 */
export function registerInputSecrets(values: Record<string, string>): void {
  const publicValues = Object.entries(values)
    .filter(([name]) => !SECRET_INPUT_NAMES.includes(name))
    .map(([, value]) => value)
  for (const name of SECRET_INPUT_NAMES) {
    const value = values[name]
    if (value === undefined || publicValues.some(other => other.includes(value.trim()))) continue
    registerSecret(value, `input ${name}`)
  }
}

/** Where a login's shell and database clients would keep history. */
export function shellHistoryPaths(homes: string[]): string[] {
  return ['/root', ...homes].flatMap(home => ['.bash_history', '.mysql_history', '.sqlite_history'].map(file => join(home, file)))
}
