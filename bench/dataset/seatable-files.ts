/**
 * The bulk of the benchmark's SeaTable data directory: Seafile objects under
 * seafile-data/storage/{blocks,fs,commits}/<repo>/<2 hex>/<38 hex>, with mixed sizes (many small,
 * some medium, a few large) and mixed content (some incompressible), all from one seed.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { createRandom } from '../../scripts/fixtures/seeded-random.mjs'
import type { ContentKind, ContentSource } from './file-content.js'

export interface DataFile {
  relative: string
  size: number
  kind: ContentKind
}

export interface DataFilesSpec {
  files: number
  bytes: number
  seed: number
  /** Distinguishes batches (the 4× run adds more files with another label). */
  label: string
  repos: string[]
}

const WRITE_CONCURRENCY = 16

/** Sizes from three bands (80% ≤ 16 KiB, 18% ≤ 256 KiB, 2% ≤ 4 MiB), scaled so they add up to `bytes`. */
export function planDataFiles(spec: DataFilesSpec): DataFile[] {
  const random = createRandom(spec.seed * 1_000_003 + spec.label.length * 17 + 5)
  const raw: { size: number; band: number }[] = []
  for (let index = 0; index < spec.files; index++) {
    const draw = random.next()
    const band = draw < 0.8 ? 0 : draw < 0.98 ? 1 : 2
    const size = band === 0 ? random.integer(256, 16 * 1024) : band === 1 ? random.integer(16 * 1024, 256 * 1024) : random.integer(256 * 1024, 4 * 1024 * 1024)
    raw.push({ size, band })
  }
  const total = raw.reduce((sum, item) => sum + item.size, 0)
  const factor = total === 0 ? 0 : spec.bytes / total
  return raw.map(({ size, band }, index) => {
    const objectId = random.hex(40)
    const kindDir = band === 0 && index % 4 === 0 ? (index % 8 === 0 ? 'commits' : 'fs') : 'blocks'
    // Uploaded images and archives are the big, incompressible ones; fs and commit objects are small text.
    const incompressible = random.chance(band === 0 ? 0.3 : 0.55)
    return {
      relative: join('seafile-data/storage', kindDir, spec.repos[index % spec.repos.length], objectId.slice(0, 2), `${spec.label}${objectId.slice(2)}`),
      size: Math.max(1, Math.round(size * factor)),
      kind: incompressible ? 'random' : 'text'
    }
  })
}

async function inParallel<T>(items: T[], worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const lanes = Array.from({ length: Math.min(WRITE_CONCURRENCY, items.length) }, async () => {
    while (next < items.length) await worker(items[next++])
  })
  await Promise.all(lanes)
}

export async function writeDataFiles(root: string, files: DataFile[], content: ContentSource): Promise<void> {
  // The promise, not a flag: a lane that finds the directory being made by another lane waits for it.
  const made = new Map<string, Promise<unknown>>()
  await inParallel(files, async file => {
    const path = join(root, file.relative)
    const directory = dirname(path)
    if (!made.has(directory)) made.set(directory, mkdir(directory, { recursive: true }))
    await made.get(directory)
    await writeFile(path, content.bytes(file.relative, file.kind, file.size), { mode: 0o644 })
  })
}

export interface ChangeSummary {
  modified: number
  added: number
  deleted: number
  bytesWritten: number
}

/**
 * Changes `fraction` of the files the way a day of use does: half of them get new content (same
 * name, another size), a quarter are deleted, and as many new files as a quarter are added.
 * Returns the new list of files.
 */
export async function changeDataFiles(root: string, files: DataFile[], fraction: number, content: ContentSource, seed: number): Promise<{ files: DataFile[]; summary: ChangeSummary }> {
  const random = createRandom(seed * 7_777 + 3)
  const count = Math.max(4, Math.round(files.length * fraction))
  const chosen = new Set<number>()
  while (chosen.size < Math.min(count, files.length)) chosen.add(random.integer(0, files.length - 1))
  const picked = [...chosen]
  const modifyCount = Math.round(picked.length / 2)
  const deleteCount = Math.round(picked.length / 4)
  const toModify = picked.slice(0, modifyCount).map(index => ({ ...files[index], size: Math.max(1, Math.round(files[index].size * (0.5 + random.next()))) }))
  const toDelete = new Set(picked.slice(modifyCount, modifyCount + deleteCount))
  const toAdd = planDataFiles({
    files: picked.length - modifyCount - deleteCount,
    bytes: toModify.reduce((sum, file) => sum + file.size, 0) / 2,
    seed: seed + 1,
    label: 'changed-',
    repos: [...new Set(files.slice(0, 8).map(file => file.relative.split('/')[3]))]
  })
  await inParallel(toModify, async file => writeFile(join(root, file.relative), content.bytes(`${file.relative} v2`, file.kind, file.size)))
  await inParallel([...toDelete], async index => rm(join(root, files[index].relative), { force: true }))
  await writeDataFiles(root, toAdd, content)
  const modified = new Map(toModify.map(file => [file.relative, file]))
  const after = files
    .filter((_, index) => !toDelete.has(index))
    .map(file => modified.get(file.relative) ?? file)
    .concat(toAdd)
  const bytesWritten = toModify.reduce((sum, file) => sum + file.size, 0) + toAdd.reduce((sum, file) => sum + file.size, 0)
  return { files: after, summary: { modified: toModify.length, added: toAdd.length, deleted: toDelete.size, bytesWritten } }
}
