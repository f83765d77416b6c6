import type { Readable, Writable } from 'node:stream'
import type { Compression } from '../core/manifest.js'
import { command, quote, script } from '../core/shell.js'
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
}

/**
 * Streams a compressed tarball of host paths to `out`. Exit code 1 from GNU tar means "a file changed
 * while being read" (live logs do that); the archive is still complete, so it becomes a warning.
 */
export async function streamTar(host: Transport, spec: TarSpec, out: Writable): Promise<{ warnings: string[] }> {
  const tarArgv = [
    'tar', '--create', '--file=-', '--format=posix', '--sparse', '--anchored',
    ...spec.excludes.map(pattern => `--exclude=${pattern}`),
    ...(spec.paths.length > 0 ? ['--', ...spec.paths] : ['--files-from=/dev/null'])
  ]
  const text = script(
    `cd -- ${quote(spec.cwd)}`,
    `{ rc=0; ${command(tarArgv)} || rc=$?; if [ "$rc" -eq 1 ]; then echo 'selfhost-backup-warning: some files changed while they were read' >&2; rc=0; fi; exit "$rc"; } | ${compressCommand(spec.compression)}`
  )
  const result = await host.run(text, { stdout: out, description: spec.description })
  const warnings = result.stderr.includes('selfhost-backup-warning') ? [`${spec.description}: some files changed while they were read`] : []
  return { warnings }
}

/** Extracts a compressed tarball from `input` into `dest` (created if missing), keeping modes and owners. */
export async function extractTar(
  host: Transport,
  spec: { dest: string; compression: Compression; description: string },
  input: Readable
): Promise<void> {
  const text = script(
    `mkdir -p -- ${quote(spec.dest)}`,
    `${decompressCommand(spec.compression)} | ${command(['tar', '--extract', '--file=-', '--preserve-permissions', '--directory', spec.dest])}`
  )
  await host.run(text, { stdin: input, description: spec.description })
}
