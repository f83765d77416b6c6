import { Writable } from 'node:stream'
import type { Compression, PartRecord } from '../kernel/manifest.js'
import { command, quote, script } from '../kernel/shell.js'
import { HostCommandError, VerificationError } from '../kernel/errors.js'
import type { Transport } from '../transport/transport.js'
import { compressCommand, decompressing, type PartInput } from './compression.js'
import { symlinkStaysInside } from './tar-entries.js'

/** GNU tar's listed-incremental snapshot files for one tarball part: the parent's (absent for a full backup) and this backup's. */
export interface TarSnapshot {
  previous?: string
  next: string
  level: number
}

/** The part record's `incremental` field for a tarball taken with `snapshot`. */
export const levelOf = (snapshot: TarSnapshot | undefined): Pick<PartRecord, 'incremental'> => (snapshot ? { incremental: { level: snapshot.level } } : {})

export interface TarSpec {
  /** Directory the archive is relative to. */
  cwd: string
  /** Members, relative to cwd, written "./name". An empty list makes an empty archive. */
  paths: string[]
  /** Glob patterns anchored at cwd ("./models"), excluded with everything below them. */
  excludes: string[]
  compression: Compression
  description: string
  /** Listed-incremental: only what changed since `previous` (none: everything); the new state goes to `next`. */
  snapshot?: TarSnapshot
}

/**
 * What a restore leaves beside the data it changed: the data it replaced (kept by rename, the safety copy)
 * and staging directories of a restore that was killed. They are never part of a backup.
 */
export const RESTORE_LEFTOVER_NAMES = ['.selfhost-backup-replaced-*', '.selfhost-restore.*']

/**
 * Streams a compressed tarball of host paths to `out`. Exit code 1 from GNU tar means "a file changed
 * while being read" (live logs do that); the archive is still complete, so it becomes a warning.
 */
export async function streamTar(host: Transport, spec: TarSpec, out: Writable): Promise<{ warnings: string[] }> {
  const tarArgv = [
    'tar',
    '--create',
    '--file=-',
    '--format=posix',
    '--sparse',
    '--anchored',
    // Device numbers change across reboots and on network filesystems; without this, such a change re-sends everything.
    ...(spec.snapshot ? [`--listed-incremental=${spec.snapshot.next}`, '--no-check-device'] : []),
    ...spec.excludes.map(pattern => `--exclude=${pattern}`),
    ...RESTORE_LEFTOVER_NAMES.flatMap(name => [`--exclude=./${name}`, `--exclude=./*/${name}`]),
    ...(spec.paths.length > 0 ? ['--', ...spec.paths] : ['--files-from=/dev/null'])
  ]
  const text = script(
    ...snapshotSetup(spec.snapshot),
    `cd -- ${quote(spec.cwd)}`,
    `{ rc=0; ${command(tarArgv)} || rc=$?; if [ "$rc" -eq 1 ]; then echo 'selfhost-backup-warning: some files changed while they were read' >&2; rc=0; fi; exit "$rc"; } | ${compressCommand(spec.compression)}`
  )
  const result = await host.run(text, { stdout: out, description: spec.description })
  const warnings = result.stderr.includes('selfhost-backup-warning') ? [`${spec.description}: some files changed while they were read`] : []
  return { warnings }
}

/** tar writes its new state into `next`, which starts as a copy of the parent's state (or absent: a full backup). */
function snapshotSetup(snapshot: TarSnapshot | undefined): string[] {
  if (!snapshot) return []
  return [`rm -f -- ${quote(snapshot.next)}`, ...(snapshot.previous ? [`cp -- ${quote(snapshot.previous)} ${quote(snapshot.next)}`] : [])]
}

/** Precedes the records on stdout: a login shell's rc files may print before the script does. */
const RECORDS_MARK = 'selfhost-backup-tree'

/**
 * One NUL-separated record per entry a restore must look at: symlinks with their targets, device files,
 * FIFOs and sockets, set-id non-directories (a set-gid directory only passes its group on), and files with
 * more than one hard link. find never follows links, so the records describe what is on disk.
 */
const TREE_RECORDS = [
  '(',
  '-type',
  'l',
  '-printf',
  'l\\0%P\\0%l\\0',
  ')',
  '-o',
  '(',
  '(',
  '-type',
  'b',
  '-o',
  '-type',
  'c',
  '-o',
  '-type',
  'p',
  '-o',
  '-type',
  's',
  ')',
  '-printf',
  's\\0%P\\0%y\\0',
  ')',
  '-o',
  '(',
  '!',
  '-type',
  'd',
  '-perm',
  '/6000',
  '-printf',
  'u\\0%P\\0',
  ')',
  '-o',
  '(',
  '-type',
  'f',
  '-links',
  '+1',
  '-printf',
  'h\\0%P\\0%i\\0%n\\0',
  ')'
]
const FIELDS: Record<string, number> = { l: 2, s: 2, u: 1, h: 3, r: 1 }
const SPECIAL_NAMES: Record<string, string> = { b: 'a block device', c: 'a character device', p: 'a FIFO', s: 'a socket' }

export interface ExtractionSpec {
  /** Already-quoted shell lines that pin the staging directory and `cd -P` into it. */
  enter: string[]
  /** The extraction root, relative to the staging directory: a fixed name of ours. */
  dest: string
  compression: Compression
  description: string
  incremental?: boolean
  /** Also hash the compressed bytes as the host received them (a stream straight from the runner). */
  hashInput?: boolean
}

/** What an extraction left on disk that a restore must refuse: the first few entries, and how many in all. */
export interface TreeProblems {
  entries: string[]
  count: number
  /** With `hashInput`: the sha256 of the bytes the host received, as the host computed it. */
  received?: string
  /** With `hashInput`: the extraction failed (then nothing was examined); `received` still says what arrived. */
  failure?: HostCommandError
}

/** The refusal of a tarball whose extracted tree holds what a restore must not write, or undefined when it holds none. */
export function unsafeTreeError(file: string, found: TreeProblems): VerificationError | undefined {
  if (found.count === 0) return undefined
  const more = found.count > found.entries.length ? ` (and ${found.count - found.entries.length} more)` : ''
  return new VerificationError(
    `${file} holds ${found.count} entr${found.count === 1 ? 'y' : 'ies'} a restore must not write: ${found.entries.join('; ')}${more}. Nothing on the host was changed.`,
    "restore another backup (set backup-id), and find out how these entries got into the application's directory."
  )
}

/**
 * Extracts a compressed tarball from `input` into `dest` inside a pinned staging directory, keeping modes and
 * owners (an incremental tarball as one: files its directories no longer list are deleted), then examines
 * the tree as it is on disk now. Run after every tarball of a chain: GNU tar leaves a link whose target has
 * ".." or a leading "/" as a placeholder until it ends, so the next tarball is the first to write through it.
 */
export async function extractTarConfined(host: Transport, spec: ExtractionSpec, input: PartInput): Promise<TreeProblems> {
  const tarArgv = ['tar', '--extract', '--file=-', '--preserve-permissions', ...(spec.incremental ? ['--listed-incremental=/dev/null'] : []), '--directory', spec.dest]
  if (spec.hashInput && 'hostFile' in input) throw new Error('hashInput hashes a stream from the runner, not a file on the host')
  const inspector = new TreeInspector()
  const archive = decompressing(spec.compression, input)
  const extract = `${archive.text} | ${command(tarArgv)}`
  const mark = `printf '%s\\0' ${RECORDS_MARK}`
  const lines = spec.hashInput ? hashedExtraction(extract, mark) : [extract, mark]
  const text = script(...spec.enter, ...lines, command(['find', `${spec.dest}/`, '-mindepth', '1', ...TREE_RECORDS]))
  const sink = inspector.sink()
  try {
    await host.run(text, { stdin: archive.stdin, stdout: sink, description: spec.description })
  } catch (error) {
    // What arrived explains a failed extraction best when it is not what was sent: the caller compares first.
    const marker = /^selfhost-backup-received ([0-9a-f]{64})\n?/m
    const received = error instanceof HostCommandError ? marker.exec(error.stderr)?.[1] : undefined
    if (received === undefined) throw error
    // The marker is for this code, not for the reader of the error.
    const failed = error as HostCommandError
    return { entries: [], count: 0, received, failure: failed.withStderr(failed.stderr.replace(marker, '')) }
  } finally {
    sink.end()
  }
  await new Promise<void>((resolve, reject) => sink.once('finish', resolve).once('error', reject))
  return inspector.problems()
}

/**
 * Hashed where it lands: tee hands the compressed bytes to sha256sum (descriptor 4) while they are extracted,
 * and keeps reading them all when the extraction stops early (-p), so a failure still reports what arrived.
 */
function hashedExtraction(extract: string, mark: string): string[] {
  return [
    'rc=0',
    `received=$( { tee -p /dev/fd/4 | ${extract} >&2; } 4>&1 | sha256sum ) || rc=$?`,
    'received=${received%% *}',
    'if [ "$rc" -ne 0 ]; then printf \'selfhost-backup-received %s\\n\' "$received" >&2; exit "$rc"; fi',
    mark,
    `printf 'r\\0%s\\0' "$received"`
  ]
}

/** Reads the records as they stream (a tree may hold millions of entries) and judges them at the end. */
class TreeInspector {
  private pending = Buffer.alloc(0)
  private started = false
  private fields: string[] = []
  private readonly links = new Map<string, string>()
  private readonly inodes = new Map<string, { seen: number; links: number; name: string }>()
  private readonly found: string[] = []
  private count = 0
  private received?: string
  private first = true

  sink(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.take(chunk)
        done()
      }
    })
  }

  problems(): TreeProblems {
    for (const [path, target] of this.links) {
      if (!symlinkStaysInside(path, this.links)) this.refuse(path, `a symlink to ${shown(target)}, which resolves outside the restored directory`)
    }
    for (const { seen, links, name } of this.inodes.values()) {
      if (seen < links) this.refuse(name, `a hard link to a file outside the restored directory (${links} links, ${seen} inside)`)
    }
    return { entries: this.found, count: this.count, ...(this.received !== undefined ? { received: this.received } : {}) }
  }

  private take(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk])
    if (!this.started) {
      const mark = this.pending.indexOf(`${RECORDS_MARK}\0`)
      if (mark < 0) return
      this.pending = this.pending.subarray(mark + RECORDS_MARK.length + 1)
      this.started = true
    }
    let end: number
    while ((end = this.pending.indexOf(0)) >= 0) {
      // latin1 keeps every byte of a name apart: two names that differ only in invalid UTF-8 must not merge.
      this.fields.push(this.pending.subarray(0, end).toString('latin1'))
      this.pending = this.pending.subarray(end + 1)
      const [kind] = this.fields
      if (this.fields.length === 1 + (FIELDS[kind] ?? 0)) this.record(this.fields.splice(0))
    }
  }

  private record([kind, path, ...rest]: string[]): void {
    const first = this.first
    this.first = false
    // The received hash comes first, before find's records; anywhere else it is not ours.
    if (kind === 'r' && first) this.received = path
    else if (kind === 'l') this.links.set(path, rest[0])
    else if (kind === 's') this.refuse(path, SPECIAL_NAMES[rest[0]] ?? 'a special file')
    else if (kind === 'u') this.refuse(path, 'a file with the setuid or setgid bit')
    else if (kind === 'h') {
      const known = this.inodes.get(rest[0]) ?? { seen: 0, links: Number(rest[1]), name: path }
      known.seen++
      this.inodes.set(rest[0], known)
    } else this.refuse(path ?? kind, 'an entry the check could not read')
  }

  private refuse(path: string, reason: string): void {
    this.count++
    if (this.found.length < 10) this.found.push(`${shown(path)}: ${reason}`)
  }
}

/** Names as the user would see them, JSON-quoted so no line break or control character reaches a log line raw. */
function shown(latin1: string): string {
  return JSON.stringify(Buffer.from(latin1, 'latin1').toString('utf8'))
}
