/**
 * The runner's protocol as src/action/runner-commands.ts speaks it, checked against `@actions/core`
 * (a dev dependency kept for this): the same bytes on stdout for every command, and the same entries
 * in the output and state files, for ordinary and hostile values alike.
 */
import * as core from '@actions/core'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as ours from '../../../src/action/runner-commands.js'

const VALUES = [
  'plain',
  '',
  'a line\nbreak',
  'carriage\rreturn and CRLF\r\n',
  '100% of %0A, %25 and %%',
  '::warning::inside',
  'colons: and, commas',
  'ünïcødé 🚀\u0085\u202e',
  'ghadelimiter_not-the-real-one'
]

async function stdoutOf(work: () => unknown): Promise<string> {
  const original = process.stdout.write.bind(process.stdout)
  let text = ''
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()
    return true
  }) as typeof process.stdout.write
  try {
    await work()
  } finally {
    process.stdout.write = original
  }
  return text
}

let dir: string
const savedEnv = { ...process.env }
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runner-commands-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})
afterEach(() => {
  process.env = { ...savedEnv }
  process.exitCode = undefined
})

describe.each(VALUES)('for %j', value => {
  it('writes the same log line and commands as @actions/core', async () => {
    const pairs: [() => unknown, () => unknown][] = [
      [() => ours.info(value), () => core.info(value)],
      [() => ours.debug(value), () => core.debug(value)],
      [() => ours.warning(value), () => core.warning(value)],
      [() => ours.addMask(value), () => core.setSecret(value)],
      [() => ours.setFailed(value), () => core.setFailed(value)],
      [() => ours.group(value, async () => ours.info('in')), () => core.group(value, async () => core.info('in'))]
    ]
    for (const [mine, theirs] of pairs) expect(await stdoutOf(mine)).toBe(await stdoutOf(theirs))
    expect(process.exitCode).toBe(1)
  })

  it('appends the same output and state entries, each under a fresh delimiter', async () => {
    for (const [variable, mine, theirs] of [
      ['GITHUB_OUTPUT', ours.setOutput, core.setOutput],
      ['GITHUB_STATE', ours.saveState, core.saveState]
    ] as const) {
      const files = { ours: join(dir, `${variable}-ours`), core: join(dir, `${variable}-core`) }
      await writeFile(files.ours, '')
      await writeFile(files.core, '')
      process.env[variable] = files.ours
      mine('name', value)
      mine('second', 'x')
      process.env[variable] = files.core
      theirs('name', value)
      theirs('second', 'x')
      const normalized = async (file: string): Promise<string> => (await readFile(file, 'utf8')).replace(/ghadelimiter_[0-9a-f-]{36}/g, 'DELIMITER')
      expect(await normalized(files.ours)).toBe(await normalized(files.core))
      const delimiters = (await readFile(files.ours, 'utf8')).match(/ghadelimiter_[0-9a-f-]{36}/g) ?? []
      expect(new Set(delimiters).size).toBe(2)
    }
  })

  it('falls back to the same commands on a runner without the files', async () => {
    delete process.env.GITHUB_OUTPUT
    delete process.env.GITHUB_STATE
    expect(await stdoutOf(() => ours.setOutput(`n:${value}`, value))).toBe(await stdoutOf(() => core.setOutput(`n:${value}`, value)))
    expect(await stdoutOf(() => ours.saveState(`n,${value}`, value))).toBe(await stdoutOf(() => core.saveState(`n,${value}`, value)))
  })

  it('reads inputs and state as @actions/core does', () => {
    process.env['INPUT_SOME_NAME'] = `  ${value}\t\n`
    process.env[`STATE_some-state`] = ` ${value} `
    expect(ours.getInput('some name')).toBe(core.getInput('some name'))
    expect(ours.getInput('Some_Name')).toBe(core.getInput('Some_Name'))
    expect(ours.getState('some-state')).toBe(core.getState('some-state'))
    expect(ours.getInput('missing')).toBe('')
  })
})

it('appends the job summary when the runner offers one, and does nothing without', async () => {
  const file = join(dir, 'summary.md')
  await writeFile(file, 'before\n')
  process.env.GITHUB_STEP_SUMMARY = file
  await ours.appendSummary('## Backup\n| a | b |\n')
  expect(await readFile(file, 'utf8')).toBe('before\n## Backup\n| a | b |\n')
  delete process.env.GITHUB_STEP_SUMMARY
  await expect(ours.appendSummary('x')).resolves.toBeUndefined()
})
