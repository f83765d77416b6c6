/**
 * Backups for the store contract suite: real part files and a valid manifest in a staging dir, as
 * core/backup.ts leaves them for Store.save, plus helpers to hash what a store hands back and to
 * point the in-process @actions/artifact client at one run of the results-service emulator.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MANIFEST_FORMAT, manifestFileName, newBackupId, partFileName, type Manifest } from '../../src/kernel/manifest.js'
import { writeManifest } from '../../src/kernel/manifest-file.js'
import { testSigner } from './signing-key.js'
import type { SaveRequest } from '../../src/store/store.js'

export interface StagedBackup {
  request: SaveRequest
  /** sha256 of every file of the backup (parts and manifest) by file name. */
  digests: Map<string, string>
  app: string
  hostId: string
}

export const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex')

export async function sha256File(path: string): Promise<string> {
  return sha256(await readFile(path))
}

/**
 * Writes two random parts and their manifest into a fresh staging dir under `root`. `tiny` makes one
 * part of a few bytes (retention tests store hundreds); `manifest` sets fields such as incremental.
 */
export async function stageBackup(root: string, app: string, hostId: string, at: Date, options: { tiny?: boolean; manifest?: Partial<Manifest>; backupId?: string } = {}): Promise<StagedBackup> {
  const backupId = options.backupId ?? newBackupId(app, hostId, at)
  const dir = await mkdtemp(join(root, 'staging-'))
  const digests = new Map<string, string>()
  const parts: Manifest['parts'] = []
  const shapes = options.tiny
    ? ([['db', '.sqlite.zst', 16]] as const)
    : ([
        ['db', '.sqlite.zst', 96 * 1024],
        ['home', '.tar.zst', 640 * 1024 + 17]
      ] as const)
  for (const [name, extension, size] of shapes) {
    const file = partFileName(backupId, name, extension)
    const bytes = randomBytes(size)
    await writeFile(join(dir, file), bytes)
    digests.set(file, sha256(bytes))
    parts.push({ name, file, kind: name === 'db' ? 'sqlite' : 'tar', compression: 'zstd', bytes: size, sha256: sha256(bytes), durationMs: 1 })
  }
  const manifestFile = manifestFileName(backupId)
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    backupId,
    app,
    host: hostId,
    hostId,
    startedAt: at.toISOString(),
    finishedAt: at.toISOString(),
    tool: { name: 'selfhost-backup', version: 'test' },
    options: {},
    parts,
    ...options.manifest
  }
  await writeManifest(join(dir, manifestFile), manifest, await testSigner())
  digests.set(manifestFile, await sha256File(join(dir, manifestFile)))
  return { request: { backupId, dir, partFiles: parts.map(part => part.file), manifestFile }, digests, app, hostId }
}

/** A dir that stays empty until a fetch fills it. */
export async function freshDir(root: string, name: string): Promise<string> {
  const dir = join(root, `${name}-${randomBytes(4).toString('hex')}`)
  await mkdir(dir, { recursive: true })
  return dir
}

/**
 * Sets variables on process.env (the in-process artifact client reads them on every call) and returns
 * a function that puts back exactly what was there before.
 */
export function setEnvironment(values: Record<string, string>): () => void {
  const previous = new Map(Object.keys(values).map(name => [name, process.env[name]]))
  Object.assign(process.env, values)
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
}
