import { posix } from 'node:path'
import { compareReleases } from '../kernel/app-version.js'
import type { Logger } from '../kernel/log.js'
import { quote, script } from '../kernel/shell.js'
import type { Transport } from '../transport/transport.js'
import { unquoted } from './app-probes.js'
import { readComposeProject, type ComposeProject, type ComposeService } from './compose-project.js'

/**
 * What a SeaTable install is made of beyond the documented backup, read from its compose project and its
 * configuration: SeaTable AI's volume (backed up as the `ai` part), other components whose data the backup
 * does not hold (named, so nobody believes otherwise), S3 storage (files that are not on disk at all), and
 * the secrets the running version expects in the compose .env.
 */
export interface SeaTableSurvey {
  /** SeaTable AI's data directory on the host, from the compose project; empty when there is none. */
  aiDir: string
  /** One sentence per thing a backup does not hold. */
  notCovered: string[]
  /** Set when SeaTable keeps files in S3: where that was seen, and the bucket names found. */
  s3?: { evidence: string[]; buckets: string[] }
  /** One line per compose service: what covers its data. */
  components: string[]
  /** The release and image a backup's preflight read, so that the manifest records them without asking again. */
  running?: { image?: string; version?: string }
}

const DATABASE_IMAGE = /(^|\/)(mariadb|mysql|percona)(:|@|$)/
const CACHE_IMAGE = /(^|\/)(redis|memcached|valkey)(:|@|$)/
const AI_IMAGE = /(^|\/)seatable-ai(:|@|$)/
/** Host files a container sees but nobody backs up: sockets, clocks, the kernel's views. */
const SYSTEM_PATHS = ['/var/run', '/run', '/etc/localtime', '/etc/timezone', '/dev', '/proc', '/sys']
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,62}$/

const inside = (path: string, dir: string): boolean => dir !== '' && (path === dir || path.startsWith(`${dir}/`))

/** The survey of a host: `places` are the directories the backup holds (data, compose, caddy). */
export async function surveySeaTable(
  host: Transport,
  places: { root: string; composeDir: string; caddyDir: string; dbContainer: string },
  version: Promise<string | undefined>,
  logger: Logger
): Promise<SeaTableSurvey> {
  const survey: SeaTableSurvey = { aiDir: '', notCovered: [], components: [] }
  // Independent questions to the host, asked side by side: a backup's fixed cost is their slowest, not their sum.
  const [project, s3Switches, secrets] = await Promise.all([
    places.composeDir ? readComposeProject(host, places.composeDir) : Promise.resolve(undefined),
    findS3(host, places),
    presentSecrets(host, places.composeDir)
  ])
  for (const unreadable of project?.unreadable ?? []) survey.notCovered.push(`compose project ${places.composeDir}: ${unreadable}, so what its components keep is unknown`)
  const ai = aiService(project)
  survey.aiDir = aiDirectory(ai)
  const covered = [places.root, places.composeDir, places.caddyDir, survey.aiDir]
  for (const service of project?.services ?? []) classify(service, { covered, dbContainer: places.dbContainer, ai: service === ai }, survey)
  const s3 = { ...s3Switches, evidence: [...(project?.files.includes('seatable-s3.yml') ? [S3_COMPOSE_EVIDENCE] : []), ...s3Switches.evidence] }
  if (s3.evidence.length > 0) survey.s3 = s3
  survey.notCovered.push(...missingSecrets(secrets, places.composeDir, await version))
  if (survey.components.length > 0) logger.info(['SeaTable components (compose):', ...survey.components.map(line => `  - ${line}`)].join('\n'))
  return survey
}

function aiService(project: ComposeProject | undefined): ComposeService | undefined {
  return project?.services.find(service => service.name === 'seatable-ai' || AI_IMAGE.test(service.image ?? ''))
}

/** SeaTable AI's data directory: what its service mounts at /shared (else its first bind mount); empty without one. */
function aiDirectory(ai: ComposeService | undefined): string {
  return ai ? ((ai.binds.find(bind => bind.target === '/shared') ?? ai.binds[0])?.source ?? '') : ''
}

/** Only where SeaTable AI keeps its data, from the compose project: what a restore needs of the survey. */
export async function findAiDirectory(host: Transport, composeDir: string): Promise<string> {
  return composeDir ? aiDirectory(aiService(await readComposeProject(host, composeDir))) : ''
}

function classify(service: ComposeService, context: { covered: string[]; dbContainer: string; ai: boolean }, survey: SeaTableSurvey): void {
  const label = `${service.name}${service.image ? ` (${service.image})` : ''}`
  const binds = service.binds.filter(bind => !SYSTEM_PATHS.some(system => inside(bind.source, system)))
  if (binds.length === 0 && service.volumes.length === 0) return
  if (DATABASE_IMAGE.test(service.image ?? '') || service.name === context.dbContainer) {
    survey.components.push(`${label}: its databases are in the SQL dumps`)
    return
  }
  if (CACHE_IMAGE.test(service.image ?? '')) {
    survey.components.push(`${label}: a cache, nothing to keep`)
    return
  }
  // A bind is covered inside a directory the backup holds, or when it holds one (SeaTable mounts the data directory's parent).
  const uncovered = binds.filter(bind => !context.covered.some(dir => inside(bind.source, dir) || inside(dir, bind.source)))
  for (const bind of uncovered) survey.notCovered.push(`${label}: ${bind.source} (mounted at ${bind.target || '?'}) is not in this backup`)
  for (const volume of service.volumes) survey.notCovered.push(`${label}: the docker volume ${volume} is not in this backup`)
  const held = binds.length - uncovered.length
  survey.components.push(
    `${label}: ${context.ai ? 'the ai part' : held > 0 ? 'in the data, compose or caddy part' : 'nothing of it'}${uncovered.length + service.volumes.length > 0 ? `; not covered: ${[...uncovered.map(bind => bind.source), ...service.volumes].join(', ')}` : ''}`
  )
}

/**
 * S3 storage, from SeaTable's own switches: seatable-s3.yml in COMPOSE_FILE (6.1+), `type = s3` for the storage
 * server (base snapshots, storage-data), an `s3` object backend in seafile.conf (files and pictures,
 * seafile-data), S3 avatars in dtable_web_settings.py. Bucket names come from `bucket =` lines and
 * S3_…BUCKET… variables; nothing else of those files (they hold the S3 keys) is read back.
 */
const S3_COMPOSE_EVIDENCE = 'COMPOSE_FILE includes seatable-s3.yml: base snapshots, files, pictures and avatars are in S3'

async function findS3(host: Transport, places: { root: string; composeDir: string }): Promise<{ evidence: string[]; buckets: string[] }> {
  const conf = posix.join(places.root, 'conf')
  const env = places.composeDir ? posix.join(places.composeDir, '.env') : ''
  const result = await host.run(
    script(
      `conf=${quote(conf)}; env=${quote(env)}`,
      'found() { [ -f "$1" ] && grep -qiE "$2" -- "$1"; }',
      'if found "$conf/dtable-storage-server.conf" \'^[[:space:]]*type[[:space:]]*=[[:space:]]*s3[[:space:]]*$\'; then printf "evidence\\t%s\\n" "dtable-storage-server.conf: base snapshots (storage-data) are in S3"; fi',
      'if found "$conf/seafile.conf" \'^[[:space:]]*name[[:space:]]*=[[:space:]]*s3[[:space:]]*$\'; then printf "evidence\\t%s\\n" "seafile.conf: files and pictures (seafile-data) are in S3"; fi',
      'if found "$conf/dtable_web_settings.py" \'^[[:space:]]*AVATAR_FILE_STORAGE[[:space:]]*=.*s3\'; then printf "evidence\\t%s\\n" "dtable_web_settings.py: avatars are in S3"; fi',
      'for file in "$conf/dtable-storage-server.conf" "$conf/seafile.conf"; do [ -f "$file" ] && sed -n -E \'s/^[[:space:]]*bucket[[:space:]]*=[[:space:]]*/bucket\t/p\' -- "$file"; done',
      '[ -n "$env" ] && [ -f "$env" ] && sed -n -E \'s/^[[:space:]]*S3_[A-Z_]*BUCKET[A-Z_]*[[:space:]]*=[[:space:]]*/bucket\t/p\' -- "$env"',
      'exit 0'
    ),
    { allowFailure: true, description: 'Looking for S3 storage in the SeaTable configuration' }
  )
  const evidence: string[] = []
  const buckets = new Set<string>()
  for (const line of result.stdout.split('\n')) {
    const [kind, value = ''] = line.split('\t')
    if (kind === 'evidence') evidence.push(value)
    const name = unquoted(value)
    if (kind === 'bucket' && BUCKET_NAME.test(name)) buckets.add(name)
  }
  return { evidence, buckets: [...buckets] }
}

const SECRETS = [
  { name: 'JWT_PRIVATE_KEY', since: '5.3', loses: 'every login session' },
  { name: 'SECRET_KEY', since: '6.2', loses: 'every login session and third-party account link' }
]

/** Which of the secrets SeaTable reads from the compose .env have a value there: only whether, never the values. */
async function presentSecrets(host: Transport, composeDir: string): Promise<Set<string>> {
  if (!composeDir) return new Set()
  const env = posix.join(composeDir, '.env')
  const result = await host.run(
    script(
      `env=${quote(env)}`,
      '[ -r "$env" ] || exit 0',
      ...SECRETS.map(({ name }) => `grep -qE ${quote(`^[[:space:]]*${name}[[:space:]]*=[[:space:]]*["']?[^"'[:space:]]`)} -- "$env" && echo ${name}`),
      'exit 0'
    ),
    { allowFailure: true, description: `Checking the secrets in ${env}` }
  )
  return new Set(result.stdout.split('\n'))
}

/** SeaTable 5.3 reads JWT_PRIVATE_KEY and 6.2 also SECRET_KEY from the compose .env; a backup without them restores logged out. */
function missingSecrets(present: Set<string>, composeDir: string, version: string | undefined): string[] {
  if (!composeDir || !version) return []
  const env = posix.join(composeDir, '.env')
  return SECRETS.filter(secret => compareReleases(version, secret.since) >= 0 && !present.has(secret.name)).map(
    ({ name, since, loses }) =>
      `${env} has no ${name}, which SeaTable ${since} and later read from it: a restore of this backup would lose ${loses} (add it to the .env as SeaTable's upgrade notes say)`
  )
}
