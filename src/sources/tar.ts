import type { Readable, Writable } from 'node:stream'
import type { Compression } from '../core/manifest.js'
import { command, quote, script } from '../core/shell.js'
import type { TarSnapshot } from '../core/incremental.js'
import type { Transport } from '../transport/transport.js'
import { compressCommand, decompressCommand } from './compression.js'

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
 * Streams a compressed tarball of host paths to `out`. Exit code 1 from GNU tar means "a file changed
 * while being read" (live logs do that); the archive is still complete, so it becomes a warning.
 */
export async function streamTar(host: Transport, spec: TarSpec, out: Writable): Promise<{ warnings: string[] }> {
  const tarArgv = [
    'tar', '--create', '--file=-', '--format=posix', '--sparse', '--anchored',
    // Device numbers change across reboots and on network filesystems; without this, such a change re-sends everything.
    ...(spec.snapshot ? [`--listed-incremental=${spec.snapshot.next}`, '--no-check-device'] : []),
    ...spec.excludes.map(pattern => `--exclude=${pattern}`),
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
  return [
    `rm -f -- ${quote(snapshot.next)}`,
    ...(snapshot.previous ? [`cp -- ${quote(snapshot.previous)} ${quote(snapshot.next)}`] : [])
  ]
}

/**
 * Extracts a compressed tarball from `input` into `dest` (created if missing), keeping modes and owners.
 * An incremental tarball is extracted as one: files its directories no longer list are deleted.
 */
export async function extractTar(
  host: Transport,
  spec: { dest: string; compression: Compression; description: string; incremental?: boolean },
  input: Readable
): Promise<void> {
  const tarArgv = ['tar', '--extract', '--file=-', '--preserve-permissions', ...(spec.incremental ? ['--listed-incremental=/dev/null'] : []), '--directory', spec.dest]
  const text = script(
    `mkdir -p -- ${quote(spec.dest)}`,
    `${decompressCommand(spec.compression)} | ${command(tarArgv)}`
  )
  await host.run(text, { stdin: input, description: spec.description })
}
