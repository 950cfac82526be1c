import { createLogger } from '@taskforge/telemetry'
import { describe, expect, it } from 'vitest'
import { isTransientJetStreamError, retryTransient } from './retry-transient.js'

const timeout = () => Object.assign(new Error('timeout'), { name: 'TimeoutError' })
const logger = createLogger('test', {}, { level: 'silent' })

describe('retryTransient', () => {
  it('tells timeouts and leaderless clusters from refusals', () => {
    expect(isTransientJetStreamError(timeout())).toBe(true)
    expect(isTransientJetStreamError(new Error('JetStream system temporarily unavailable'))).toBe(true)
    expect(
      isTransientJetStreamError(new Error('stream name already in use with a different configuration')),
    ).toBe(false)
    expect(isTransientJetStreamError('timeout')).toBe(false)
  })

  it('tries a transient failure again and gives a permanent one back at once', async () => {
    let calls = 0
    const value = await retryTransient(
      'x',
      async () => {
        calls += 1
        if (calls < 3) throw timeout()
        return 'declared'
      },
      logger,
    )
    expect({ value, calls }).toEqual({ value: 'declared', calls: 3 })
    let refused = 0
    await expect(
      retryTransient(
        'y',
        async () => {
          refused += 1
          throw new Error('insufficient resources')
        },
        logger,
      ),
    ).rejects.toThrow('insufficient resources')
    expect(refused).toBe(1)
  })
})
