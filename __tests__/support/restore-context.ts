import { SwapJournal } from '../../src/recipes/host-swap.js'
import type { RestoreContext } from '../../src/recipes/recipe.js'
import type { Logger } from '../../src/kernel/log.js'
import type { Transport } from '../../src/transport/transport.js'

let restores = 0

/**
 * Runs a recipe's restore with a swap journal and nothing prepared beside the data (databases import in
 * place), as the pipeline does with safety-copy: false: once it
 * succeeded, what it replaced goes, so the tree can be compared with the backup. A failure keeps it.
 */
export async function restoring<T>(host: Transport, logger: Logger, run: (context: RestoreContext) => Promise<T>): Promise<T> {
  restores += 1
  const swaps = new SwapJournal(host, `20261206T000000Z-${restores.toString(16).padStart(6, '0')}`, logger)
  const result = await run({ logger, swaps, prepared: new Map() })
  await swaps.discard()
  return result
}
