import { appVersionOutput, appVersionProblems, compareAppVersions, compareReleases, describeAppVersion, parseImage, versionFromImage } from '../../../src/kernel/app-version.js'

describe('the release in an image reference', () => {
  it.each([
    ['seatable/seatable-enterprise:6.0.10', '6.0.10'],
    ['tabbyml/tabby:v0.30.1', '0.30.1'],
    ['registry.example.com:5000/tabbyml/tabby:0.30.1', '0.30.1'],
    ['tabbyml/tabby:0.31.0-rc.2', '0.31.0-rc.2'],
    ['seatable/seatable-enterprise:6.0.10@sha256:' + 'a'.repeat(64), '6.0.10']
  ])('%s → %s', (image, version) => expect(versionFromImage(image)).toBe(version))

  it.each(['seatable/seatable-enterprise:latest', 'registry.example.com:5000/tabbyml/tabby', 'tabbyml/tabby@sha256:' + 'b'.repeat(64), 'tabbyml/tabby:main'])('%s has none', image =>
    expect(versionFromImage(image)).toBeUndefined()
  )

  it('keeps only a well-formed reference from host output', () => {
    expect(parseImage('tabbyml/tabby:0.30.1\n')).toBe('tabbyml/tabby:0.30.1')
    expect(parseImage('tabbyml/tabby:0.30.1; rm -rf /')).toBeUndefined()
    expect(parseImage('$(reboot)')).toBeUndefined()
    expect(parseImage('')).toBeUndefined()
  })
})

describe('comparing versions', () => {
  it('orders releases part by part, a pre-release before its release', () => {
    expect(compareReleases('6.0.10', '6.0.9')).toBe(1)
    expect(compareReleases('6.0', '6.0.0')).toBe(0)
    expect(compareReleases('5.3.7', '6.0.1')).toBe(-1)
    expect(compareReleases('0.31.0-rc.2', '0.31.0')).toBe(-1)
    expect(compareReleases('0.31.0', '0.31.0-rc.2')).toBe(1)
  })

  it('compares by release when both have one, else by schema, else says it cannot', () => {
    expect(compareAppVersions({ version: '6.0.10', recipe: 1 }, { version: '6.1.0', recipe: 1 })).toEqual({ relation: 'backup-older', basis: 'release 6.0.10 against 6.1.0' })
    expect(compareAppVersions({ version: '0.30.1', schema: 50, recipe: 1 }, { version: '0.30.1', schema: 49, recipe: 1 })).toEqual({ relation: 'backup-newer', basis: 'schema 50 against 49' })
    expect(compareAppVersions({ schema: 50, recipe: 1 }, { image: 'tabbyml/tabby:latest', schema: 50, recipe: 1 })).toEqual({ relation: 'same', basis: 'schema 50 against 50' })
    expect(compareAppVersions({ image: 'x/y:latest', recipe: 1 }, { schema: 3, recipe: 1 }).relation).toBe('unknown')
    expect(compareAppVersions(undefined, { schema: 3, recipe: 1 })).toEqual({ relation: 'unknown', basis: 'the backup records no version' })
  })

  it('describes a version for people and for the output', () => {
    expect(describeAppVersion({ version: '0.30.1', image: 'tabbyml/tabby:0.30.1', schema: 50, recipe: 1 })).toBe('0.30.1 (image tabbyml/tabby:0.30.1, schema 50)')
    expect(describeAppVersion({ schema: 50, recipe: 1 })).toBe('schema 50')
    expect(describeAppVersion({ recipe: 1 })).toBe('unknown')
    expect(describeAppVersion(undefined)).toBe('unknown (made before selfhost-backup recorded versions)')
    expect(appVersionOutput({ image: 'seatable/seatable-enterprise:latest', recipe: 1 })).toBe('seatable/seatable-enterprise:latest')
    expect(appVersionOutput({ schema: 7, recipe: 1 })).toBe('schema 7')
    expect(appVersionOutput(undefined)).toBe('')
  })
})

it('refuses a recorded version that is not one (it is read back from a store)', () => {
  expect(appVersionProblems(undefined)).toEqual([])
  expect(appVersionProblems({ version: '6.0.10', image: 'seatable/seatable-enterprise:6.0.10', schema: 3, recipe: 1 })).toEqual([])
  expect(appVersionProblems({ version: '6.0.10\n::error::forged', image: 'a b', schema: -1, recipe: 0 })).toEqual([
    'application.version is not a version number',
    'application.image is not an image reference',
    'application.schema is not a whole number',
    'application.recipe is not a revision number'
  ])
  expect(appVersionProblems('6.0.10')).toEqual(['application is not an object'])
})
