/**
 * Quiet data (issue 10, item 6): text from a backup, a manifest or the host never becomes a workflow
 * command or a terminal escape in the log. The runner reads each stdout line (split on \n, \r and \r\n),
 * trims leading whitespace the .NET way, and takes `::name::` at the start, or `##[name]` anywhere, as a
 * command. Both loggers quiet every message through quietText; these tests feed them hostile names.
 */
import { warning } from '../../src/action/runner-commands.js'
import { actionsLogger } from '../../src/action/actions-logger.js'
import { consoleLogger, quietText } from '../../src/kernel/log.js'
import { recordCase } from '../support/fault-report.js'

const SUITE = 'security/quiet-logs'

/** Hostile names as a forged manifest or a compromised host could supply them, each with what quietText makes of it. */
const HOSTILE: readonly { name: string; text: string; quiet: string }[] = [
  { name: 'a line break and ::warning::', text: 'name\n::warning::owned', quiet: 'name\n\\::warning::owned' },
  { name: 'a carriage return and ::save-state', text: '\r::save-state x=1::y', quiet: '\\r::save-state x=1::y' },
  { name: 'the legacy ##[ form at the start', text: '##[error]x', quiet: '##\\[error]x' },
  { name: 'the legacy ##[ form mid-line', text: 'part ##[add-mask]secret', quiet: 'part ##\\[add-mask]secret' },
  { name: 'an ANSI clear-screen sequence', text: '\u001b[2J', quiet: '\\x1b[2J' },
  { name: 'leading spaces before ::set-output', text: '  ::set-output name=x::y', quiet: '  \\::set-output name=x::y' },
  { name: 'a tab before ::add-mask::', text: 'x\n\t::add-mask::', quiet: 'x\n\t\\::add-mask::' },
  { name: 'a no-break space before ::stop-commands::', text: '\u00a0::stop-commands::token', quiet: '\u00a0\\::stop-commands::token' },
  { name: 'a .NET next-line character before ::warning::', text: 'a\u0085::warning::x', quiet: 'a\\x85::warning::x' },
  { name: 'CRLF before ::error::', text: 'a\r\n::error::x', quiet: 'a\n\\::error::x' },
  { name: 'a bidirectional override', text: 'evil\u202egnp.sh', quiet: 'evil\\u202egnp.sh' },
  { name: 'NUL, backspace and DEL', text: 'a\u0000b\bc\u007f', quiet: 'a\\x00b\\x08c\\x7f' }
]

/** The runner's view of the output: its lines, each trimmed as .NET's TrimStart does (U+0085 included). */
function runnerLines(output: string): string[] {
  return output.split(/\r\n|\r|\n/).map(line => line.replace(/^[\s\u0085]+/, ''))
}

/** Workflow commands the runner would find in the output, as `name` (for ::name::) or `##[name]`. */
function commandsIn(output: string): string[] {
  return runnerLines(output).flatMap(line => [...(line.startsWith('::') ? [line.slice(2).split(/[ :]/)[0] ?? ''] : []), ...[...line.matchAll(/##\[([^\] ]*)/g)].map(match => `##[${match[1]}]`)])
}

/** Captures what the code under test writes to a process stream, and gives the stream back afterwards. */
async function captured(stream: NodeJS.WriteStream, work: () => Promise<void> | void): Promise<string> {
  const original = stream.write.bind(stream)
  let text = ''
  stream.write = ((chunk: string | Uint8Array): boolean => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()
    return true
  }) as typeof stream.write
  try {
    await work()
  } finally {
    stream.write = original
  }
  return text
}

describe('quietText', () => {
  for (const hostile of HOSTILE) {
    it(`escapes ${hostile.name} so that no line is a command and the text still reads the same`, () => {
      let outcome: 'passed' | 'failed' = 'failed'
      try {
        const quiet = quietText(hostile.text)
        expect(quiet).toBe(hostile.quiet)
        expect(commandsIn(quiet)).toEqual([])
        // eslint-disable-next-line no-control-regex -- the check is that none is left
        expect(quiet).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/)
        expect(quietText(quiet)).toBe(quiet)
        outcome = 'passed'
      } finally {
        recordCase({ suite: SUITE, case: `quietText: ${hostile.name}`, kind: 'forged', outcome })
      }
    })
  }

  it('leaves ordinary text, tabs, line breaks and :: inside a line as they are', () => {
    const ordinary = 'Restored part home (12.0 MiB)\n\tdetails: a::b ## [x] #[y]\nünïcødé 🚀'
    expect(quietText(ordinary)).toBe(ordinary)
  })
})

describe('actionsLogger', () => {
  it('encodes a line break in a warning as %0A, so its payload stays on the command line', async () => {
    const output = await captured(process.stdout, () => warning('a\n::x'))
    expect(output).toBe('::warning::a%0A::x\n')
    expect(commandsIn(output)).toEqual(['warning'])
  })

  it('writes no command but its own for groups, warnings and debug, whatever the names', async () => {
    let outcome: 'passed' | 'failed' = 'failed'
    try {
      const logger = actionsLogger()
      const output = await captured(process.stdout, async () => {
        for (const { text } of HOSTILE) {
          logger.info(text)
          logger.info(`Restoring part ${text} (3 files)`)
          logger.warning(`Part ${text} is larger than before`)
          logger.debug(text)
          await logger.group(text, async () => logger.info(`inside ${text}`))
        }
      })
      const expected = HOSTILE.flatMap(() => ['warning', 'debug', 'group', 'endgroup'])
      expect(commandsIn(output)).toEqual(expected)
      // The hostile text did arrive, escaped, not dropped.
      expect(output).toContain('name\n\\::warning::owned\n')
      expect(output).toContain('::warning::Part \\x1b[2J is larger than before\n')
      expect(output).toContain('::group::name%0A\\::warning::owned\n')
      // eslint-disable-next-line no-control-regex -- the check is that none reaches the log
      expect(output.replace(/\n/g, '')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/)
      outcome = 'passed'
    } finally {
      recordCase({ suite: SUITE, case: 'actionsLogger with every hostile name', kind: 'forged', outcome })
    }
  })

  it('masks a secret both as given and as it shows once quieted', async () => {
    const output = await captured(process.stdout, () => actionsLogger().mask('pa##[ss\u001bword'))
    expect(output.split('\n').filter(line => line !== '')).toEqual(['::add-mask::pa##[ss\u001bword', '::add-mask::pa##\\[ss\\x1bword', '::add-mask::pa##[ss\u001bword'])
  })
})

describe('consoleLogger', () => {
  it('quiets messages, warnings and group titles after redacting secrets', async () => {
    let outcome: 'passed' | 'failed' = 'failed'
    try {
      const logger = consoleLogger({ verbose: true })
      logger.mask('hunter2\u001b[0m')
      let stdout = ''
      const stderr = await captured(process.stderr, async () => {
        stdout = await captured(process.stdout, async () => {
          for (const { text } of HOSTILE) {
            logger.info(`Restoring part ${text}`)
            logger.warning(text)
            logger.debug(text)
            await logger.group(text, async () => undefined)
          }
          logger.info('password hunter2\u001b[0m in a message')
        })
      })
      expect(commandsIn(stdout)).toEqual([])
      expect(commandsIn(stderr)).toEqual([])
      expect(stdout).toContain('== name\n\\::warning::owned\n')
      expect(stderr).toContain('warning: \\x1b[2J\n')
      expect(stdout).toContain('password *** in a message\n')
      outcome = 'passed'
    } finally {
      recordCase({ suite: SUITE, case: 'consoleLogger with every hostile name', kind: 'forged', outcome })
    }
  })
})
