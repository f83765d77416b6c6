import { InputError, PreflightError } from '../kernel/errors.js'
import { quote, script } from '../kernel/shell.js'
import type { Transport } from '../transport/transport.js'

export type LayoutName = 'old' | 'current'

/** The two layouts in use: the seed doc's older install and SeaTable's current (2024+) docs. */
export const LAYOUTS = {
  old: {
    root: '/opt/seatable/seatable-data/seatable',
    composeDir: '',
    dbContainer: 'seatable-mysql',
    seatableContainer: 'seatable',
    dataExcludes: ['ccnet', 'logs', 'db-data']
  },
  current: {
    root: '/opt/seatable-server/seatable',
    composeDir: '/opt/seatable-compose',
    dbContainer: 'mariadb',
    seatableContainer: 'seatable-server',
    dataExcludes: ['ccnet', 'logs', 'db-data', 'pids', 'scripts']
  }
} as const satisfies Record<LayoutName, unknown>

/** The dtable-db backup script's path inside the SeaTable container (the same on both layouts). */
export const SEATABLE_SCRIPT = '/opt/seatable/scripts/seatable.sh'

export interface HostFacts {
  paths: Set<string>
  containers: Set<string>
  hasDocker: boolean
}

/** Which of the documented paths exist and which containers run, in one round trip. */
export async function probeHost(host: Transport, extraPaths: string[]): Promise<HostFacts> {
  const paths = [LAYOUTS.old.root, LAYOUTS.current.root, LAYOUTS.current.composeDir, ...extraPaths].filter(Boolean)
  const text = script(
    ...paths.map(path => `if [ -e ${quote(path)} ]; then printf 'path\\t%s\\n' ${quote(path)}; fi`),
    'if command -v docker >/dev/null 2>&1; then echo docker; docker ps --format "{{.Names}}" 2>/dev/null | sed "s/^/container\\t/" || true; fi'
  )
  const result = await host.run(text, { description: 'Looking for SeaTable' })
  const facts: HostFacts = { paths: new Set(), containers: new Set(), hasDocker: false }
  for (const line of result.stdout.split('\n')) {
    const [kind, value] = line.split('\t')
    if (kind === 'path') facts.paths.add(value)
    else if (kind === 'container') facts.containers.add(value)
    else if (kind === 'docker') facts.hasDocker = true
  }
  return facts
}

/** Evidence for each layout; exactly one must have any unless the user chose. */
export function layoutEvidence(facts: HostFacts): Record<LayoutName, string[]> {
  const evidence: Record<LayoutName, string[]> = { old: [], current: [] }
  for (const name of ['old', 'current'] as const) {
    const layout = LAYOUTS[name]
    for (const path of [layout.root, layout.composeDir]) if (path && facts.paths.has(path)) evidence[name].push(path)
    for (const container of [layout.dbContainer, layout.seatableContainer]) if (facts.containers.has(container)) evidence[name].push(`container ${container}`)
  }
  return evidence
}

export function chooseLayout(wanted: 'auto' | LayoutName, facts: HostFacts): { layout: LayoutName; reason: string } {
  if (wanted !== 'auto') return { layout: wanted, reason: 'set by seatable-layout' }
  const evidence = layoutEvidence(facts)
  const found = (['current', 'old'] as const).filter(name => evidence[name].length > 0)
  if (found.length === 1) return { layout: found[0], reason: evidence[found[0]].join(', ') }
  if (found.length === 0) {
    throw new PreflightError(['no SeaTable installation was found at the documented paths or containers'], 'set seatable-root (and seatable-layout: old or current) to where SeaTable keeps its data.')
  }
  throw new InputError('seatable-layout', `both layouts were found (old: ${evidence.old.join(', ')}; current: ${evidence.current.join(', ')}).`, 'set seatable-layout to old or current.')
}
