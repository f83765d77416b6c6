/**
 * The test bed for the host side of a restore (issue 10, items 3-5), in-process: the recipes' restore and
 * the confinement functions run against this machine through a real LocalTransport, with hand-made
 * tarballs from real GNU tar. Each case gets a fresh directory holding the app's root, a sibling "outside"
 * directory an escape would reach, and the tarballs.
 */
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { fingerprintTree, type TreeFingerprint } from '../../scripts/fixtures/fingerprint.mjs'
import type { Logger } from '../../src/kernel/log.js'
import type { Compression, Manifest, PartRecord } from '../../src/kernel/manifest.js'
import type { VerifiedPart } from '../../src/recipes/recipe.js'
import { LocalTransport } from '../../src/transport/local.js'
import { recordCase } from '../support/fault-report.js'

export const host = new LocalTransport({ sudo: false })

export interface CaseBed {
  dir: string
  root: string
  outside: string
  tarballs: string
}

let beds: string[] = []

/** A fresh case directory: root/ (with `files` written into it), outside/ (with a secret), tarballs/. */
export async function makeCase(files: Record<string, string> = {}): Promise<CaseBed> {
  const dir = await caseTempDir('sb-host-side-')
  const bed = { dir, root: join(dir, 'root'), outside: join(dir, 'outside'), tarballs: join(dir, 'tarballs') }
  for (const path of [bed.root, bed.outside, bed.tarballs]) await mkdir(path)
  shell('printf "secret\\n" > "$1/secret"; printf "root only\\n" > "$1/root-owned"; chmod 600 "$1/root-owned"', bed.outside)
  for (const [relative, content] of Object.entries(files)) shell('mkdir -p -- "$(dirname -- "$1/$2")"; printf %s "$3" > "$1/$2"', bed.root, relative, content)
  return bed
}

/** A temp dir of this file's own, removed with the cases. */
export async function caseTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  beds.push(dir)
  return dir
}

export async function removeCases(): Promise<void> {
  for (const dir of beds) await rm(dir, { recursive: true, force: true })
  beds = []
}

/** Runs a bash script with positional arguments (no value is ever spliced into the text). */
export function shell(text: string, ...args: string[]): string {
  return execFileSync('bash', ['-c', `set -euo pipefail\n${text}`, 'bash', ...args]).toString()
}

/**
 * A tarball of `source` made by real GNU tar (members as given, default "."), compressed as named.
 * `snapshot`: listed-incremental state file, so the tarball is a level of a chain.
 */
export function tarball(source: string, file: string, options: { members?: string[]; compression?: Compression; snapshot?: string; append?: { source: string; members: string[] } } = {}): string {
  const compression = options.compression ?? 'zstd'
  const plain = `${file}.plain.tar`
  const incremental = options.snapshot ? [`--listed-incremental=${options.snapshot}`] : []
  shell('cd -- "$1"; shift; out=$1; shift; tar --create --format=posix --file="$out" "$@"', source, plain, ...incremental, '--', ...(options.members ?? ['.']))
  if (options.append) shell('cd -- "$1"; tar --append --format=posix --file="$2" -- "${@:3}"', options.append.source, plain, ...options.append.members)
  const compress = { zstd: 'zstd -q -c', gzip: 'gzip -c', none: 'cat' }[compression]
  shell(`${compress} < "$1" > "$2"; rm -f -- "$1"`, plain, file)
  return file
}

/** A verified part as the pipeline hands it to a recipe (the checksum fields do not matter on the host side). */
export function tarPart(name: string, path: string, extra: Partial<PartRecord> = {}, chain?: VerifiedPart[]): VerifiedPart {
  const compression = path.endsWith('.gz') ? 'gzip' : path.endsWith('.zst') ? 'zstd' : 'none'
  const record: PartRecord = { name, file: basename(path), kind: 'tar', compression, bytes: 0, sha256: '0'.repeat(64), durationMs: 0, ...extra }
  return { record, on: 'runner', path, ...(chain ? { chain } : {}) }
}

export function manifestOf(app: string, parts: VerifiedPart[] | PartRecord[], options: Record<string, unknown> = {}): Manifest {
  const records = parts.map(part => ('record' in part ? part.record : part))
  return {
    format: 'selfhost-backup/1',
    backupId: `${app}--host--20260101T000000Z-abcd`,
    app,
    host: 'host',
    hostId: 'host',
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:01Z',
    tool: { name: 'selfhost-backup', version: 'test' },
    options,
    parts: records
  } as Manifest
}

/** The trees a forged case must leave alone, and no staging directory left behind anywhere in the case. */
export async function treesOf(bed: CaseBed): Promise<Record<string, TreeFingerprint>> {
  return { root: await fingerprintTree(bed.root), outside: await fingerprintTree(bed.outside) }
}

export async function leftovers(dir: string): Promise<string[]> {
  const found: string[] = []
  for (const entry of await readdir(dir, { recursive: true }))
    if (
      String(entry)
        .split('/')
        .some(name => name.startsWith('.selfhost-restore'))
    )
      found.push(String(entry))
  return found
}

export function testLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = []
  return {
    warnings,
    info: () => undefined,
    debug: () => undefined,
    warning: message => void warnings.push(message),
    group: (_title, work) => work(),
    mask: () => undefined
  }
}

/** A forged-backup case: counted in the closing table as tried, and as refused only when the test passes. */
export function forged(name: string, test: () => Promise<void>, timeout?: number): void {
  it(
    name,
    async () => {
      try {
        await test()
      } catch (error) {
        recordCase({ suite: 'security', case: name, kind: 'forged', outcome: 'failed' })
        throw error
      }
      recordCase({ suite: 'security', case: name, kind: 'forged', outcome: 'passed' })
    },
    timeout
  )
}

/** Owner uid:gid of a path, not following a link. */
export function ownerOf(path: string): string {
  return shell('stat -c %u:%g -- "$1"', path).trim()
}
