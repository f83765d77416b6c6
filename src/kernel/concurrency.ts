/**
 * Waits for every task, then throws the first failure: work that runs side by side on the host (dumps,
 * imports, an extraction) is never left running unseen behind an early error, e.g. after a lock is released.
 */
export async function allToTheEnd<T>(tasks: Promise<T>[]): Promise<T[]> {
  const outcomes = await Promise.allSettled(tasks)
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason
  return outcomes.map(outcome => (outcome as PromiseFulfilledResult<T>).value)
}
