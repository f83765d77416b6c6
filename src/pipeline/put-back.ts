import { posix } from 'node:path'
import { InputError, VerificationError } from '../kernel/errors.js'
import type { Logger } from '../kernel/log.js'
import { quote, script } from '../kernel/shell.js'
import { relativePathProblem } from '../recipes/recipe.js'
import { putBack, REPLACED_PREFIX, type Swap, type SwapUndo } from '../recipes/host-swap.js'
import { detectRecipe, type RecipeChoice } from '../recipes/registry.js'
import type { Transport } from '../transport/transport.js'
import { acquireHostLock } from './lock.js'

export interface PutBackRequest {
  recipes: RecipeChoice[]
  transport: Transport
  /** The restore's stamp (its safety-copy-id output). */
  stamp: string
  lockTimeoutSeconds: number
  logger: Logger
}

const STAMP = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/

/**
 * Undoes a restore's swaps: what it replaced (kept beside the data, by rename) goes back into place, newest
 * swap first, and what the restore had put there goes; so do the databases a swap replaced (their kept
 * tables move back). A database imported in place comes back from its own safety backup instead.
 */
export async function runPutBack(request: PutBackRequest): Promise<string[]> {
  const { transport, logger, stamp } = request
  if (!STAMP.test(stamp)) {
    throw new InputError('replaced', `"${stamp}" is not a restore's safety-copy id.`, "copy it from the restore's safety-copy-id output or its error message, e.g. 20261206T031500Z-a1b2c3.")
  }
  await transport.open()
  try {
    const { recipe, options: parsed } = await detectRecipe(transport, request.recipes)
    const options = await recipe.preflight(transport, parsed, 'restore', { logger })
    const lock = await acquireHostLock(transport, recipe.dataRoot(options), request.lockTimeoutSeconds, logger)
    try {
      const swaps: (Swap & { order: number })[] = []
      for (const dir of await recipe.restoredDirectories(transport, options)) {
        const listed = await transport.run(script(`find ${quote(dir.path)} -mindepth 1 -maxdepth 1 -type d -name ${quote(`${REPLACED_PREFIX}${stamp}-*`)} -printf '%f\\0'`), {
          description: `Looking for what the restore ${stamp} replaced in ${dir.path}`
        })
        for (const name of listed.stdout.split('\0').filter(Boolean)) {
          const order = Number(name.slice(`${REPLACED_PREFIX}${stamp}-`.length))
          if (!Number.isInteger(order) || order < 1) continue
          const identityResult = await transport.run(script(`stat -c %d:%i -- ${quote(posix.join(dir.path, name))}`), { description: `Opening ${name}` })
          const replaced = { path: posix.join(dir.path, name), steps: [...dir.steps, { name, identity: identityResult.stdout.trim().split('\n').pop() ?? '' }] }
          const record = await transport.run(script(`cat -- ${quote(posix.join(replaced.path, 'swap'))}`), { description: `Reading ${replaced.path}/swap` })
          const parsedRecord = parseSwapRecord(record.stdout, replaced.path)
          swaps.push({ ...parsedRecord, dir, replaced, order })
        }
      }
      const nothingFound = (): InputError =>
        new InputError(
          'replaced',
          `nothing that the restore ${stamp} replaced was found beside the ${recipe.title} data on ${transport.label}.`,
          "check the id and the app's directory and database options (the same as for the restore)."
        )
      if (swaps.length === 0 && !recipe.putBackSwapped) throw nothingFound()
      const report: string[] = []
      for (const swap of swaps.sort((a, b) => b.order - a.order)) {
        if (!swap.complete && swap.undo.kind === 'tree') {
          throw new VerificationError(
            `The swap kept in ${swap.replaced.path} stopped part-way during the restore, so put-back cannot tell restored entries from live ones there.`,
            `move the entries in ${swap.replaced.path}/old back into ${swap.dir.path} by hand; nothing in it was removed.`
          )
        }
        await putBack(transport, swap, logger)
        report.push(`${swap.part}: ${swap.dir.path} is as it was before the restore ${stamp}`)
        logger.info(report[report.length - 1])
      }
      // The databases a swap replaced wait in their kept databases on the same server.
      if (recipe.putBackSwapped) report.push(...(await recipe.putBackSwapped(transport, options, stamp, { logger })))
      if (report.length === 0) throw nothingFound()
      await lock.assertHeld('restore')
      return report
    } finally {
      await lock.release()
    }
  } finally {
    await transport.close().catch(error => logger.warning(`Closing the connection: ${(error as Error).message}`))
  }
}

/** The record a swap left in its directory: read back from the host, so every field is checked. */
function parseSwapRecord(text: string, where: string): { part: string; complete: boolean; undo: SwapUndo } {
  const refuse = (why: string): never => {
    throw new VerificationError(`${where}/swap is not a record this tool wrote: ${why}.`, 'put the entries back by hand; nothing was changed.')
  }
  let value: unknown
  try {
    value = JSON.parse(text.trim().split('\n').pop() ?? '')
  } catch {
    return refuse('not JSON')
  }
  const record = value as Record<string, unknown>
  if (typeof record !== 'object' || record === null || typeof record.part !== 'string' || typeof record.complete !== 'boolean') return refuse('part or complete missing')
  const strings = (list: unknown): list is string[] => Array.isArray(list) && list.every(item => typeof item === 'string')
  if (record.kind === 'tree' && strings(record.keep)) {
    const bad = record.keep.find(pattern => relativePathProblem(pattern) !== null)
    if (bad !== undefined) refuse(`the kept path ${JSON.stringify(bad)} is not relative`)
    return { part: record.part, complete: record.complete, undo: { kind: 'tree', keep: record.keep } }
  }
  if (record.kind === 'entries' && strings(record.names)) {
    const bad = record.names.find(name => name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0'))
    if (bad !== undefined) refuse(`the name ${JSON.stringify(bad)} is not a single entry`)
    return { part: record.part, complete: record.complete, undo: { kind: 'entries', names: record.names } }
  }
  return refuse('unknown kind')
}
