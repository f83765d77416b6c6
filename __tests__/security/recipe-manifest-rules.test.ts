/**
 * Issue 10, item 3: a restore takes no host path and no database name from the manifest. Each recipe
 * accepts only the parts it makes, of the kind it makes them, that this host has a place for, databases
 * among SeaTable's own or the configured ones, and recorded excludes that are plain relative paths. These
 * rules run before any part is downloaded; a signed but forged manifest breaking one is refused.
 */
import type { Manifest, PartRecord } from '../../src/kernel/manifest.js'
import { seatableRecipe, type SeaTableOptions } from '../../src/recipes/seatable.js'
import { tabbyRecipe } from '../../src/recipes/tabby.js'
import { forged, manifestOf } from './host-side-bed.js'

const part = (name: string, kind: PartRecord['kind'], details?: Record<string, unknown>): PartRecord => ({
  name,
  file: `x.${name}`,
  kind,
  compression: 'zstd',
  bytes: 0,
  sha256: '0'.repeat(64),
  durationMs: 0,
  ...(details ? { details } : {})
})

const tabbyOptions = tabbyRecipe.parseOptions({ 'tabby-root': '/srv/tabby', compression: 'zstd' })
const tabbyParts = [part('db', 'sqlite', { path: 'ee/db.sqlite' }), part('events', 'tar', { path: 'events' }), part('jobs', 'tar', { path: 'ee/jobs' }), part('home', 'tar')]
const tabby = (parts: PartRecord[], options: Record<string, unknown> = { exclude: ['models', 'logs/old'] }): string[] => tabbyRecipe.acceptManifest(tabbyOptions, manifestOf('tabby', parts, options))

/** A SeaTable host as preflight leaves it at restore: `databases` narrowed to the ones that exist on the server. */
function seatableHost(layout: 'old' | 'current', overrides: Partial<SeaTableOptions> = {}): SeaTableOptions {
  const parsed = seatableRecipe.parseOptions({ 'seatable-layout': layout, 'db-mode': 'direct', databases: overrides.configuredDatabases?.join(' ') ?? '' })
  const dirs = layout === 'current' ? { composeDir: '/opt/seatable-compose', caddyDir: '/opt/caddy' } : { composeDir: '', caddyDir: '' }
  return { ...parsed, root: '/opt/seatable-server/seatable', ...dirs, databases: [], dataExcludes: ['ccnet', 'logs'], ...overrides }
}
const dump = (database: string, recorded: unknown = database): PartRecord => part(`db-${database}`, 'sql-dump', { database: recorded })
const seatable = (options: SeaTableOptions, parts: PartRecord[], recorded: Record<string, unknown> = { dataExcludes: ['ccnet', 'logs'] }): string[] =>
  seatableRecipe.acceptManifest(options, manifestOf('seatable', parts, recorded))

describe('Tabby', () => {
  it('accepts what its backup makes', () => {
    expect(tabby(tabbyParts)).toEqual([])
    expect(tabby([part('home', 'tar')], {})).toEqual([])
  })

  forged('refuses a part it does not make, or of another kind', async () => {
    expect(tabby([...tabbyParts, part('etc', 'tar')])).toEqual(['part "etc" is not one a Tabby backup has'])
    expect(tabby([part('constructor', 'tar')])).toEqual(['part "constructor" is not one a Tabby backup has'])
    expect(tabby([part('db', 'tar')])).toEqual(['part db is of kind "tar"; a Tabby backup\'s db is sqlite'])
  })

  forged('refuses recorded excludes that are not plain relative paths', async () => {
    expect(tabby(tabbyParts, { exclude: ['models', '../../etc'] })).toEqual(['options.exclude: "../../etc" must be a path relative to the application\'s root, without ".."'])
    expect(tabby(tabbyParts, { exclude: ['/etc'] })).toEqual(['options.exclude: "/etc" must be a path relative to the application\'s root, without ".."'])
    expect(tabby(tabbyParts, { exclude: ['logs\nold'] })).toEqual(['options.exclude: "logs\\nold" must not contain control characters'])
    expect(tabby(tabbyParts, { exclude: 'models' })).toEqual(['options.exclude is not a list of paths'])
  })

  it('plans with the root from its options, never a path from the manifest', () => {
    const plan = tabbyRecipe.planRestore(tabbyOptions, manifestOf('tabby', [part('events', 'tar', { path: '/etc' })]))
    expect(plan).toEqual(['events: replace /srv/tabby/events'])
  })
})

describe('SeaTable', () => {
  const current = [dump('ccnet_db'), dump('seafile_db'), dump('dtable_db'), dump('scheduler'), part('data', 'tar'), part('compose', 'tar', { path: '/etc' }), part('caddy', 'tar')]

  it('accepts what its backup makes, on an empty server too (databases narrowed to none at preflight)', () => {
    expect(seatable(seatableHost('current'), current)).toEqual([])
  })

  it('accepts a database the restore is configured for', () => {
    expect(seatable(seatableHost('current', { configuredDatabases: ['custom_db'] }), [dump('custom_db')])).toEqual([])
  })

  forged("refuses a database outside SeaTable's and the configured ones", async () => {
    expect(seatable(seatableHost('current'), [dump('mysql')])).toEqual([
      expect.stringMatching(/^part db-mysql: "mysql" is neither one of SeaTable's databases \(ccnet_db, seafile_db, dtable_db, scheduler\) nor listed in the `databases` input$/)
    ])
  })

  forged('refuses a dump whose recorded database differs from its name', async () => {
    expect(seatable(seatableHost('current'), [dump('ccnet_db', 'mysql')])).toEqual(['part db-ccnet_db names the database "mysql", not ccnet_db'])
    expect(seatable(seatableHost('current'), [part('db-ccnet_db', 'tar', { database: 'ccnet_db' })])).toEqual(['part db-ccnet_db is of kind "tar"; a SeaTable backup\'s db-ccnet_db is sql-dump'])
  })

  forged('refuses compose and caddy parts on a host with no place for them, naming the input to set', async () => {
    const problems = seatable(seatableHost('old'), current)
    expect(problems).toEqual([
      'the backup has a compose part, but this host has no compose directory (old layout): set `compose-dir` to where it belongs, or leave the part out with `parts`',
      'the backup has a caddy part, but this host has no caddy directory (old layout): set `caddy-dir` to where it belongs, or leave the part out with `parts`'
    ])
    expect(seatable(seatableHost('old', { composeDir: '/srv/compose', caddyDir: '/srv/caddy' }), current)).toEqual([])
  })

  forged('refuses recorded data excludes that are not plain relative paths', async () => {
    expect(seatable(seatableHost('current'), [part('data', 'tar')], { dataExcludes: ['ccnet', '..'] })).toEqual([
      'options.dataExcludes: ".." must be a path relative to the application\'s root, without ".."'
    ])
  })

  it("plans with this host's directories, never the paths the manifest records", () => {
    const plan = seatableRecipe.planRestore(seatableHost('current'), manifestOf('seatable', [part('compose', 'tar', { path: '/etc' }), dump('ccnet_db', 'ignored')]) as Manifest)
    expect(plan).toEqual(['compose: make /opt/seatable-compose equal to the backup', expect.stringMatching(/^db-ccnet_db: import the dump beside database ccnet_db while SeaTable runs/)])
  })
})
