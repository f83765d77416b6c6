import type { Logger } from '../core/log.js'
import { readWithProgress } from '../core/staging.js'
import { posix } from 'node:path'
import { InputError } from '../core/errors.js'
import { quote, script } from '../core/shell.js'
import { extractTar } from '../sources/tar.js'
import type { Transport } from '../transport/transport.js'
import type { VerifiedPart } from './recipe.js'

/** A list input of paths relative to the app's root (newline, comma or space separated). */
export function parseRelativePaths(input: string, value: string): string[] {
  const paths = value.split(/[\n,]+|\s+/).map(path => path.trim()).filter(Boolean)
  for (const path of paths) {
    const normalized = posix.normalize(path)
    if (path.startsWith('/') || normalized.startsWith('..') || /[\0\r]/.test(path)) {
      throw new InputError(input, `"${path}" must be a path relative to the application's root, without "..".`, 'write paths like models or logs/old.')
    }
  }
  return paths.map(path => posix.normalize(path).replace(/\/$/, ''))
}

/**
 * Which of `paths` (absolute) exist on the host, as one round trip; `test` is -e (anything) or -d (directories).
 * The host answers with indexes, not paths, because a path may itself contain newlines.
 */
export async function existingOnHost(host: Transport, paths: string[], test: '-e' | '-d', description: string): Promise<string[]> {
  const candidates = paths.filter(Boolean)
  const checks = candidates.map((path, index) => `if [ ${test} ${quote(path)} ]; then echo ${index}; fi`)
  const result = await host.run(script(...checks), { description })
  return result.stdout.split('\n').filter(Boolean).map(index => candidates[Number(index)])
}

/**
 * Deletes everything under `root` except the `keep` paths (globs relative to root) and the directories
 * that lead to them, so extracting a tarball afterwards leaves exactly the backup's files.
 */
export async function clearTreeExcept(host: Transport, root: string, keep: string[]): Promise<void> {
  const prune = keep.flatMap((path, index) => [...(index > 0 ? ['-o'] : []), '-path', quote(`./${path}`)])
  const pruneExpression = prune.length > 0 ? `\\( ${prune.join(' ')} \\) -prune -o` : ''
  await host.run(
    script(
      `cd -- ${quote(root)}`,
      `find . -mindepth 1 ${pruneExpression} ! -type d -print0 | xargs -0r rm -f --`,
      `find . -mindepth 1 ${pruneExpression} -type d -print0 | sort -rz | xargs -0r rmdir --ignore-fail-on-non-empty --`
    ),
    { description: `Clearing ${root} before the restore` }
  )
}

/**
 * Extracts a directory part beside its target and swaps it in, so the directory afterwards equals the
 * backup exactly (files the backup did not have are gone).
 */
export async function replaceDirectory(host: Transport, root: string, relative: string, part: VerifiedPart, logger: Logger): Promise<void> {
  const staging = posix.join(root, `.selfhost-restore-${part.record.name}`)
  await host.run(script(`rm -rf -- ${quote(staging)}`), { description: 'Preparing the restore' })
  await extractPart(host, staging, part, `Restoring ${relative}`, logger)
  await host.run(
    script(
      `staged=${quote(posix.join(staging, relative))}; target=${quote(posix.join(root, relative))}`,
      'rm -rf -- "$target"',
      'if [ -e "$staged" ]; then mkdir -p -- "$(dirname -- "$target")"; mv -- "$staged" "$target"; fi',
      `rm -rf -- ${quote(staging)}`
    ),
    { description: `Moving ${relative} into place` }
  )
}

/** Extracts a tarball part into `dest`; an incremental one after the links it builds on, in order, deletions included. */
export async function extractPart(host: Transport, dest: string, part: VerifiedPart, description: string, logger: Logger): Promise<void> {
  const links = [...(part.chain ?? []), part]
  for (const [index, link] of links.entries()) {
    const step = links.length > 1 ? ` (${index + 1} of ${links.length}: ${link.record.file})` : ''
    await extractTar(host, { dest, compression: link.record.compression, description: `${description}${step}`, incremental: link.record.incremental !== undefined }, readWithProgress(link.path, `${description}${step}`, logger))
  }
}
