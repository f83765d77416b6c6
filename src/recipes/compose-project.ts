import { posix } from 'node:path'
import { CORE_SCHEMA, load } from 'js-yaml'
import { quote, script } from '../kernel/shell.js'
import type { Transport } from '../transport/transport.js'
import { envFileValue, envFileValues } from './app-probes.js'

/**
 * What a docker compose project on the host is made of: its services, their images and where their data lives
 * on the host (bind mounts) or in docker (named volumes). Read from the files the project's .env names in
 * COMPOSE_FILE; the .env itself is only ever read one named line at a time (it holds passwords). Compose
 * files are host data: they are parsed, never run, and only paths and names are taken from them.
 */
export interface ComposeService {
  name: string
  image?: string
  /** Absolute host paths bind-mounted into the service, with where they appear inside. */
  binds: { source: string; target: string }[]
  /** Named docker volumes the service uses (their data is under docker's own directory). */
  volumes: string[]
}

export interface ComposeProject {
  files: string[]
  services: ComposeService[]
  /** Files that are named but could not be read or parsed, with why. */
  unreadable: string[]
}

const MAX_COMPOSE_BYTES = 1024 * 1024
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.ya?ml$/
const SECRET_NAME = /PASS|SECRET|KEY|TOKEN|CREDENTIAL/i
const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?+]([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g

/** The project in `composeDir`: the files of COMPOSE_FILE (comma or colon separated), else compose.yml / docker-compose.yml. */
export async function readComposeProject(host: Transport, composeDir: string): Promise<ComposeProject> {
  const envFile = posix.join(composeDir, '.env')
  const listed = (await envFileValue(host, envFile, 'COMPOSE_FILE')) ?? ''
  const names = listed
    ? listed
        .split(/[,:]/)
        .map(name => name.trim())
        .filter(Boolean)
    : await defaultComposeFile(host, composeDir)
  const project: ComposeProject = { files: [], services: [], unreadable: [] }
  // The files are read side by side, and the variables their paths use in one round trip after them.
  const texts = await Promise.all(names.map(name => (FILE_NAME.test(name) ? readSmallFile(host, posix.join(composeDir, name)) : Promise.resolve(undefined))))
  const parsedFiles: { name: string; services: RawService[] }[] = []
  names.forEach((name, index) => {
    const text = texts[index]
    if (!FILE_NAME.test(name)) project.unreadable.push(`${JSON.stringify(name)} in COMPOSE_FILE is not a compose file name in ${composeDir}`)
    else if (text === undefined) project.unreadable.push(`${name} could not be read`)
    else {
      try {
        parsedFiles.push({ name, services: servicesOf(load(text, { schema: CORE_SCHEMA })) })
        project.files.push(name)
      } catch (error) {
        project.unreadable.push(`${name} is not valid YAML (${(error as Error).message.split('\n')[0]})`)
      }
    }
  })
  const referenced = new Set<string>()
  for (const service of parsedFiles.flatMap(file => file.services)) {
    const sources = [service.image ?? '', ...service.binds.map(bind => bind.source), ...service.volumes].join(' ')
    for (const match of sources.matchAll(VARIABLE)) referenced.add(match[1] ?? match[3])
  }
  // A name that sounds like a secret is never read: its value could end up in a path shown in the summary.
  const read = await envFileValues(
    host,
    envFile,
    [...referenced].filter(variable => !SECRET_NAME.test(variable))
  )
  const variables = new Map<string, string | undefined>([...referenced].map(variable => [variable, read.get(variable)]))
  for (const file of parsedFiles) for (const service of file.services) mergeService(project, resolveService(service, composeDir, variables))
  return project
}

async function defaultComposeFile(host: Transport, composeDir: string): Promise<string[]> {
  const candidates = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml']
  const found = await host.run(script(`cd -- ${quote(composeDir)} 2>/dev/null || exit 0`, ...candidates.map(name => `if [ -f ${quote(name)} ]; then echo ${quote(name)}; exit 0; fi`)), {
    description: `Looking for a compose file in ${composeDir}`
  })
  return found.stdout.split('\n').filter(Boolean).slice(0, 1)
}

async function readSmallFile(host: Transport, path: string): Promise<string | undefined> {
  const result = await host
    .run(script(`[ -f ${quote(path)} ] && [ -r ${quote(path)} ] || exit 3`, `head -c ${MAX_COMPOSE_BYTES} -- ${quote(path)}`), { allowFailure: true, description: `Reading ${path}` })
    .catch(() => undefined)
  return result?.exitCode === 0 ? result.stdout : undefined
}

type RawService = { name: string; image?: string; binds: { source: string; target: string }[]; volumes: string[] }

/** Services as the file spells them: short ("src:dst[:mode]") and long ({type, source, target}) volume syntax. */
function servicesOf(parsed: unknown): RawService[] {
  const services = (parsed as { services?: unknown } | null)?.services
  if (typeof services !== 'object' || services === null) return []
  return Object.entries(services as Record<string, unknown>).map(([name, value]) => {
    const spec = (typeof value === 'object' && value !== null ? value : {}) as { image?: unknown; volumes?: unknown }
    const service: RawService = { name, ...(typeof spec.image === 'string' ? { image: spec.image } : {}), binds: [], volumes: [] }
    for (const entry of Array.isArray(spec.volumes) ? spec.volumes : []) {
      if (typeof entry === 'string') {
        const [source = '', target = ''] = splitVolume(entry)
        if (isHostPath(source)) service.binds.push({ source, target })
        else if (source && target) service.volumes.push(source)
      } else if (typeof entry === 'object' && entry !== null) {
        const { type, source, target } = entry as { type?: unknown; source?: unknown; target?: unknown }
        if (typeof source !== 'string' || source === '') continue
        if (type === 'bind' || (type === undefined && isHostPath(source))) service.binds.push({ source, target: typeof target === 'string' ? target : '' })
        else if (type === 'volume' || type === undefined) service.volumes.push(source)
      }
    }
    return service
  })
}

/** "src:dst[:mode]", where src may hold a ${VAR:-default} with colons of its own. */
function splitVolume(entry: string): string[] {
  const fields: string[] = []
  let current = ''
  let depth = 0
  for (let index = 0; index < entry.length; index++) {
    const character = entry[index]
    if (character === '$' && entry[index + 1] === '{') depth++
    else if (character === '}' && depth > 0) depth--
    if (character === ':' && depth === 0) {
      fields.push(current)
      current = ''
    } else current += character
  }
  fields.push(current)
  return fields
}

const isHostPath = (source: string): boolean => /^(\/|\.\/|\.\.\/|~|\$)/.test(source) || source === '.'

/** Variables filled in from the .env (or their ${X:-default}), relative paths resolved against the project directory. */
function resolveService(service: RawService, composeDir: string, variables: Map<string, string | undefined>): ComposeService {
  const fill = (text: string): string =>
    text.replace(VARIABLE, (_match, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => variables.get(braced ?? bare ?? '') ?? fallback ?? '')
  const binds = service.binds.flatMap(bind => {
    const source = fill(bind.source)
    if (source.startsWith('~') || source === '') return []
    return [{ source: posix.resolve(composeDir, source), target: bind.target }]
  })
  return { name: service.name, ...(service.image ? { image: fill(service.image) } : {}), binds, volumes: service.volumes.map(fill).filter(Boolean) }
}

/** Several files may add to one service (an override file adding a volume): merged by name. */
function mergeService(project: ComposeProject, service: ComposeService): void {
  const existing = project.services.find(candidate => candidate.name === service.name)
  if (!existing) {
    project.services.push(service)
    return
  }
  if (service.image) existing.image = service.image
  existing.binds.push(...service.binds.filter(bind => !existing.binds.some(known => known.source === bind.source && known.target === bind.target)))
  existing.volumes.push(...service.volumes.filter(volume => !existing.volumes.includes(volume)))
}
