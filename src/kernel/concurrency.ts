/**
 * Waits for every task, then throws the first failure: work that runs side by side on the host (dumps,
 * imports, an extraction) is never left running unseen behind an early error, e.g. after a lock is released.
 */
export async function allToTheEnd<T>(tasks: Promise<T>[]): Promise<T[]> {
  const outcomes = await Promise.allSettled(tasks)
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason
  return outcomes.map(outcome => (outcome as PromiseFulfilledResult<T>).value)
}

/**
 * `work` over every item, at most `limit` at a time, results in the items' order. After a failure no new item
 * starts; the first failure is thrown once all started work ended.
 */
export async function mapWithLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  let failed = false
  const lane = async (): Promise<void> => {
    while (next < items.length && !failed) {
      const index = next++
      results[index] = await work(items[index], index).catch(error => {
        failed = true
        throw error
      })
    }
  }
  await allToTheEnd(Array.from({ length: Math.min(limit, items.length) }, lane))
  return results
}

/** The value of a settled outcome, or its error thrown: for work asked side by side and judged in a fixed order. */
export function settled<T>(outcome: PromiseSettledResult<T>): T {
  if (outcome.status === 'rejected') throw outcome.reason
  return outcome.value
}
