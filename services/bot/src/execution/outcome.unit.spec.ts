import { describe, expect, it } from 'vitest'
import { decideOutcome, lastLine, outputLines, parseVerdict } from './outcome.js'

const exited = (code: number | null, signal: string | null = null) => ({
  kind: 'exited' as const,
  code,
  signal,
})

describe('outputLines and lastLine', () => {
  it('splits lines, drops carriage returns and the trailing blank lines', () => {
    expect(outputLines('a\r\nb\n\nc\n\n  \n')).toEqual(['a', 'b', '', 'c'])
    expect(outputLines('')).toEqual([])
  })

  it('answers the last non-blank line', () => {
    expect(lastLine(['a', 'b', '  '])).toBe('b')
    expect(lastLine([])).toBe('')
  })
})

describe('parseVerdict', () => {
  it('reads a JSON object with a success or failure state', () => {
    expect(parseVerdict('{"state":"failure"}')).toEqual({ state: 'failure' })
    expect(parseVerdict(' {"state":"success","output":["a",1,{"b":2}]} ')).toEqual({
      state: 'success',
      output: ['a', '1', '{"b":2}'],
    })
    expect(parseVerdict('{"state":"success","output":"one"}')).toEqual({ state: 'success', output: ['one'] })
  })

  it('ignores anything else', () => {
    for (const line of [
      '',
      'done',
      '{"state":"timeout"}',
      '{not json',
      '["state"]',
      'null',
      '{"output":[]}',
    ]) {
      expect(parseVerdict(line)).toBeUndefined()
    }
  })
})

describe('decideOutcome', () => {
  it('is success on exit code 0 and failure otherwise', () => {
    const ok = decideOutcome(exited(0), 'hello\nargs: 1\n', 0)
    expect(ok.state).toBe('success')
    expect(ok.output).toEqual(['hello', 'args: 1'])
    expect(ok.result).toMatchObject({
      code: 0,
      signal: '',
      killed: false,
      lastline: 'args: 1',
      log: 'hello\nargs: 1\n',
    })
    expect(decideOutcome(exited(3), 'x\n', 0).state).toBe('failure')
  })

  it('lets a JSON verdict on the last line win over the exit code', () => {
    const verdict = decideOutcome(exited(1), 'work\n{"state":"success","output":["a","b"]}\n', 0)
    expect(verdict.state).toBe('success')
    expect(verdict.output).toEqual(['a', 'b'])
    expect(verdict.result.code).toBe(1)
    const failed = decideOutcome(exited(0), 'work\n{"state":"failure"}\n', 0)
    expect(failed.state).toBe('failure')
    expect(failed.output).toEqual(['work', '{"state":"failure"}'])
  })

  it('is failure when a signal ended the script, without a code', () => {
    const outcome = decideOutcome(exited(null, 'SIGSEGV'), '', 0)
    expect(outcome.state).toBe('failure')
    expect(outcome.result.code).toBeUndefined()
    expect(outcome.result).toMatchObject({ signal: 'SIGSEGV', killed: false })
  })

  it('is timeout after a timeout, whatever the script printed', () => {
    const outcome = decideOutcome(
      { kind: 'timeout', code: null, signal: 'SIGKILL', sent: 'SIGKILL' },
      '{"state":"success"}\n',
      0,
    )
    expect(outcome.state).toBe('timeout')
    expect(outcome.result).toMatchObject({ killed: true, signal: 'SIGKILL', reason: 'timeout' })
    const trapped = decideOutcome({ kind: 'timeout', code: 143, signal: null, sent: 'SIGTERM' }, '', 0)
    expect(trapped.result).toMatchObject({ code: 143, signal: 'SIGTERM', killed: true })
  })

  it('is error when the bot had to stop the job', () => {
    const outcome = decideOutcome(
      { kind: 'aborted', code: null, signal: 'SIGTERM', sent: 'SIGTERM', reason: 'bot shutting down' },
      'partial\n',
      0,
    )
    expect(outcome.state).toBe('error')
    expect(outcome.result).toMatchObject({ killed: true, reason: 'bot shutting down', log: 'partial\n' })
  })

  it('is canceled when the job was canceled, whatever the script printed', () => {
    const outcome = decideOutcome(
      { kind: 'canceled', code: null, signal: 'SIGKILL', sent: 'SIGKILL', reason: 'not needed' },
      'half\n{"state":"success"}\n',
      0,
    )
    expect(outcome.state).toBe('canceled')
    expect(outcome.result).toMatchObject({ killed: true, signal: 'SIGKILL', reason: 'not needed' })
    const early = decideOutcome({ kind: 'canceled-before-start', reason: 'not needed' }, '', 0)
    expect(early).toMatchObject({
      state: 'canceled',
      output: [],
      result: { killed: false, reason: 'not needed' },
    })
  })

  it('is error with the reason in the log when the script never started', () => {
    const outcome = decideOutcome({ kind: 'not-started', reason: 'spawn nope ENOENT' }, '', 0)
    expect(outcome.state).toBe('error')
    expect(outcome.result).toMatchObject({
      log: 'spawn nope ENOENT',
      reason: 'spawn nope ENOENT',
      killed: false,
    })
    expect(outcome.result.code).toBeUndefined()
  })

  it('reports the bytes dropped past the capture limit', () => {
    expect(decideOutcome(exited(0), 'x', 42).result.truncatedBytes).toBe(42n)
  })
})
