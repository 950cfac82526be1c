import { describe, expect, it } from 'vitest'
import { comparePositions, START } from './global-position.js'
import { SerialRunner } from './serial-runner.js'
import {
  isWrongExpectedVersion,
  versionMatches,
  WrongExpectedVersionError,
} from './wrong-expected-version-error.js'

describe('comparePositions', () => {
  it('orders by transaction id first, then position', () => {
    const at = (transactionId: bigint, position: bigint) => ({ transactionId, position })
    expect(comparePositions(at(1n, 9n), at(2n, 1n))).toBe(-1)
    expect(comparePositions(at(2n, 1n), at(1n, 9n))).toBe(1)
    expect(comparePositions(at(2n, 1n), at(2n, 3n))).toBe(-1)
    expect(comparePositions(at(2n, 3n), at(2n, 3n))).toBe(0)
    expect(comparePositions(START, at(1n, 1n))).toBe(-1)
  })
})

describe('versionMatches', () => {
  it.each([
    ['any', undefined, true],
    ['any', 3n, true],
    ['no_stream', undefined, true],
    ['no_stream', 1n, false],
    ['stream_exists', undefined, false],
    ['stream_exists', 2n, true],
    [0n, undefined, true],
    [2n, 2n, true],
    [2n, 3n, false],
    [1n, undefined, false],
  ] as const)('expected %s with the stream at %s: %s', (expected, actual, matches) => {
    expect(versionMatches(expected, actual)).toBe(matches)
  })
})

describe('WrongExpectedVersionError', () => {
  it('is a retryable 409 AppError whose details survive JSON', () => {
    const error = new WrongExpectedVersionError('job-1', 3n, undefined)
    expect(isWrongExpectedVersion(error)).toBe(true)
    expect(isWrongExpectedVersion(new Error('other'))).toBe(false)
    expect(error.nonRetryable).toBe(false)
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      statusCode: 409,
      code: 'WRONG_EXPECTED_VERSION',
      message: 'stream job-1 is at version no_stream, expected 3',
      details: { streamId: 'job-1', expected: '3', actual: 'no_stream' },
    })
  })
})

describe('SerialRunner', () => {
  it('runs one task at a time and coalesces calls made meanwhile into one more run', async () => {
    let runs = 0
    let active = 0
    let maxActive = 0
    const releases: Array<() => void> = []
    const runner = new SerialRunner(async () => {
      active++
      maxActive = Math.max(maxActive, active)
      await new Promise<void>((resolve) => releases.push(resolve))
      active--
      return ++runs
    })
    const first = runner.run()
    const queued = [runner.run(), runner.run(), runner.run()]
    expect(releases).toHaveLength(1)
    releases[0]!()
    expect(await first).toBe(1)
    await Promise.resolve()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(releases).toHaveLength(2)
    releases[1]!()
    expect(await Promise.all(queued)).toEqual([2, 2, 2])
    await runner.idle()
    expect(maxActive).toBe(1)
    expect(runs).toBe(2)
  })

  it('keeps going after a failed run', async () => {
    let calls = 0
    const runner = new SerialRunner(async () => {
      calls++
      if (calls === 1) throw new Error('first fails')
      return calls
    })
    const failed = runner.run()
    const next = runner.run()
    await expect(failed).rejects.toThrow('first fails')
    expect(await next).toBe(2)
  })
})
