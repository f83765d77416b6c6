import { appendFile } from 'node:fs/promises'
import { faultReportPath } from './fault-report.js'

/**
 * One line per artifact-service fault case in the fault report (JSON lines), in
 * the shape the issue-6 closing table reads. `survived`: the step succeeded
 * despite the fault; `clear-failure`: it failed in bounded time with an error
 * that says what went wrong and what to do; `BAD`: anything else (a transient
 * fault that broke the step, a vague or endless failure).
 */
export interface ArtifactFaultOutcome {
  suite: 'artifact-service'
  /** `<target> <kind> <transient|persistent>` */
  case: string
  /** Lets the shared closing table count these lines among the injected faults. */
  kind: 'fault'
  injected: boolean
  outcome: 'survived' | 'clear-failure' | 'BAD'
  nothingLost: boolean
  /** Wall time of the faulted step: the client's backoff shows here. */
  seconds: number
  /** Which retry did the work, or what the step said. */
  detail: string
}

export const faultReportFile = faultReportPath

const shown = { survived: 'survived', 'clear-failure': 'failed clearly', BAD: 'BAD' } as const

/** Appends (other fault suites share the file) and prints the same cases one per line. */
export async function appendArtifactFaultOutcomes(outcomes: ArtifactFaultOutcome[]): Promise<void> {
  if (outcomes.length === 0) return
  const sorted = [...outcomes].sort((a, b) => a.case.localeCompare(b.case))
  // The closing table counts outcome 'passed' as held: surviving and failing clearly both are.
  const recorded = sorted.map(outcome => ({ ...outcome, result: outcome.outcome, outcome: outcome.outcome === 'BAD' ? 'failed' : 'passed' }))
  await appendFile(faultReportFile(), recorded.map(line => `${JSON.stringify(line)}\n`).join(''))
  const lines = sorted.map(outcome => `fault: ${outcome.case} -> ${shown[outcome.outcome]} (${outcome.seconds.toFixed(1)} s, nothing lost: ${outcome.nothingLost}; ${outcome.detail})`)
  console.log(`${lines.join('\n')}\n(appended to ${faultReportFile()})`)
}
