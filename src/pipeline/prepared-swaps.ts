import type { Logger } from '../kernel/log.js'
import type { PreparedPart, VerifiedPart } from '../recipes/recipe.js'

/**
 * What a recipe prepares beside the live data while the rest of the backup still streams in (prepareSwap,
 * e.g. a database import into a side database), each started as soon as its part is staged and verified.
 * Nothing live changes here; whatever is not swapped in is removed again.
 */
export class Preparations {
  private readonly running: Promise<PreparedPart | undefined>[] = []

  constructor(
    private readonly start: ((part: VerifiedPart) => Promise<PreparedPart | undefined>) | undefined,
    private readonly logger: Logger
  ) {}

  /** Starts preparing a part that has been staged and verified. */
  add(part: VerifiedPart): void {
    if (!this.start) return
    const preparing = this.start(part)
    // Awaited by ready() or abandon(); a failure must not surface as an unhandled rejection before that.
    preparing.catch(() => undefined)
    this.running.push(preparing)
  }

  /** Every preparation done: the parts prepared, or the first failure (abandon then removes the others). */
  async ready(): Promise<PreparedPart[]> {
    const results = await Promise.allSettled(this.running)
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected')
    if (failed) throw failed.reason
    return results.flatMap(result => (result.status === 'fulfilled' && result.value ? [result.value] : []))
  }

  /** Always, once the restore ended or failed: waits for what started and removes what was not swapped in. */
  async abandon(): Promise<void> {
    const results = await Promise.allSettled(this.running)
    const prepared = results.flatMap(result => (result.status === 'fulfilled' && result.value ? [result.value] : []))
    for (const part of prepared) {
      await part.discard().catch((error: unknown) => this.logger.warning(`Removing what was prepared for ${part.part}: ${(error as Error).message}`))
    }
  }
}
