import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { load } from 'js-yaml'
import { inputsOf, OUTPUTS, type ActionName } from '../../src/inputs/definitions.js'
import { TOOL_VERSION } from '../../src/kernel/version.js'
import { REPO_ROOT } from '../support/action-runner.js'

interface ActionFile {
  description: string
  inputs: Record<string, { default?: string; description: string }>
  outputs: Record<string, { description: string }>
  runs: { using: string; main: string; post: string }
}

const files: Record<ActionName, string> = { backup: 'action.yml', restore: 'restore/action.yml' }
const read = (file: string): ActionFile => load(readFileSync(join(REPO_ROOT, file), 'utf8')) as ActionFile
const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')

describe.each(Object.entries(files) as [ActionName, string][])('%s action (%s)', (action, file) => {
  const definition = read(file)

  it('declares exactly the inputs and defaults the code parses', () => {
    const declared = Object.entries(definition.inputs).map(([name, spec]) => [name, spec.default ?? ''])
    expect(declared).toEqual(inputsOf(action).map(input => [input.name, input.default]))
  })

  it('declares exactly the outputs the code sets', () => {
    expect(Object.keys(definition.outputs)).toEqual(OUTPUTS[action].map(output => output.name))
  })

  it("describes every input and output in this action's own words, as the code (and the CLI's --help) does", () => {
    expect(Object.entries(definition.inputs).map(([name, spec]) => [name, spec.description])).toEqual(inputsOf(action).map(input => [input.name, input.description]))
    expect(Object.entries(definition.outputs).map(([name, spec]) => [name, spec.description])).toEqual(OUTPUTS[action].map(output => [output.name, output.description]))
  })

  it('has a description the Marketplace accepts (under 125 characters) that names both apps', () => {
    expect(definition.description.length).toBeLessThan(125)
    expect(definition.description).toMatch(/Tabby.*SeaTable/)
  })

  it('runs its bundle on node24 with a post step that removes key material', () => {
    expect(definition.runs.using).toBe('node24')
    expect(definition.runs.main).toMatch(/dist\/(backup|restore)\/index\.js$/)
    expect(definition.runs.post).toMatch(/dist\/cleanup\/index\.js$/)
    expect(() => readFileSync(join(REPO_ROOT, file, '..', definition.runs.main))).not.toThrow()
  })

  it('is documented in the README: every input and output in a table row', () => {
    const section = readme.split(`<!-- ${action}-inputs -->`)[1]?.split(`<!-- /${action}-inputs -->`)[0] ?? ''
    for (const input of inputsOf(action)) expect(section).toContain(`| \`${input.name}\` |`)
    const outputs = readme.split(`<!-- ${action}-outputs -->`)[1]?.split(`<!-- /${action}-outputs -->`)[0] ?? ''
    for (const output of OUTPUTS[action]) expect(outputs).toContain(`| \`${output.name}\` |`)
  })
})

it('words an input both actions take for the restore where its backup wording does not fit it', () => {
  const restoreWording = (name: string): string | undefined => inputsOf('restore').find(input => input.name === name)?.description
  const backupWording = (name: string): string | undefined => inputsOf('backup').find(input => input.name === name)?.description
  for (const name of ['databases', 'host-temp-dir', 'caddy-dir', 'seatable-ai-dir', 'dtable-db-backup', 'github-token', 'signing-key', 'trusted-signers']) {
    expect(restoreWording(name)).not.toEqual(backupWording(name))
    expect(restoreWording(name)).not.toMatch(/to dump|backed up|a backup needs|retention/)
  }
})

it('keeps the tool version in step with package.json', () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
  expect(TOOL_VERSION).toBe(pkg.version)
})
