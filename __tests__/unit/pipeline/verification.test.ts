import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Logger } from '../../../src/kernel/log.js'
import { manifestFileName, newBackupId, type PartRecord } from '../../../src/kernel/manifest.js'
import { compareWithPrevious, type VerificationSettings } from '../../../src/pipeline/verification.js'
import { LocalDirectoryStore } from '../../../src/store/local-dir.js'
import { testTrust } from '../../support/signing-key.js'

/** The logger seam: keeps the warnings so a test can read them. */
function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = []
  return { warnings, info: () => undefined, debug: () => undefined, warning: message => void warnings.push(message), mask: () => undefined, group: (_title, work) => work() }
}

const settings = (failOnShrink: boolean): VerificationSettings => ({ mode: 'backup', verify: 'drill', shrinkThreshold: 50, failOnShrink })
const part: PartRecord = { name: 'db', file: 'unused', kind: 'sqlite', compression: 'zstd', bytes: 1000, sha256: 'a'.repeat(64), durationMs: 1 }
const current = { app: 'tabby', hostId: 'tabby.example.com', parts: [part] }

let scratch: string
/** A real local store whose root is a file: readdir fails with ENOTDIR, so list() throws. */
let unlistable: LocalDirectoryStore
/** A real local store holding one earlier backup whose manifest is not JSON, so fetching it fails. */
let unreadable: LocalDirectoryStore
let empty: LocalDirectoryStore

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sb-unit-verification-'))
  await writeFile(join(scratch, 'not-a-directory'), '')
  unlistable = new LocalDirectoryStore(join(scratch, 'not-a-directory'))
  const previous = newBackupId('tabby', 'tabby.example.com', new Date('2026-01-01T00:00:00Z'))
  await mkdir(join(scratch, 'damaged', previous), { recursive: true })
  await writeFile(join(scratch, 'damaged', previous, manifestFileName(previous)), '{ cut short')
  unreadable = new LocalDirectoryStore(join(scratch, 'damaged'))
  empty = new LocalDirectoryStore(join(scratch, 'empty'))
})

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true })
})

describe('compareWithPrevious', () => {
  it('checks a store whose listing works without complaint when there is nothing to compare with', async () => {
    for (const failOnShrink of [true, false]) {
      const logger = recordingLogger()
      expect(await compareWithPrevious(empty, current, settings(failOnShrink), { workRoot: scratch, trust: testTrust() }, logger)).toEqual({ shrunk: [] })
      expect(logger.warnings).toEqual([])
    }
  })

  it('fails closed with fail-on-shrink when the previous backups cannot be listed', async () => {
    await expect(unlistable.list()).rejects.toThrow(/ENOTDIR/)
    const logger = recordingLogger()
    const result = await compareWithPrevious(unlistable, current, settings(true), { workRoot: scratch, trust: testTrust() }, logger)
    expect(result.shrunk).toEqual([expect.stringMatching(/could not run \(fail-on-shrink is on\): the previous backups could not be listed \(.*ENOTDIR/)])
  })

  it('only warns without fail-on-shrink when the previous backups cannot be listed', async () => {
    const logger = recordingLogger()
    expect(await compareWithPrevious(unlistable, current, settings(false), { workRoot: scratch, trust: testTrust() }, logger)).toEqual({ shrunk: [] })
    expect(logger.warnings).toEqual([expect.stringMatching(/^Size check skipped: the previous backups could not be listed \(.*ENOTDIR/)])
  })

  it('fails closed with fail-on-shrink, and only warns without it, when the previous manifest cannot be read', async () => {
    const strict = await compareWithPrevious(unreadable, current, settings(true), { workRoot: scratch, trust: testTrust() }, recordingLogger())
    expect(strict.shrunk).toEqual([expect.stringMatching(/could not run \(fail-on-shrink is on\): .*not valid JSON/)])
    const logger = recordingLogger()
    expect(await compareWithPrevious(unreadable, current, settings(false), { workRoot: scratch, trust: testTrust() }, logger)).toEqual({ shrunk: [] })
    expect(logger.warnings).toEqual([expect.stringMatching(/^Size check skipped: .*not valid JSON/)])
  })
})
