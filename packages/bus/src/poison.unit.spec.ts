import { AppError, badRequest, ErrorKinds } from '@taskforge/core'
import { describe, expect, it } from 'vitest'
import { judgeFailure } from './poison.js'
import { RedeliverLater } from './redeliver-later.js'

const limits = { maxDeliveries: 5, maxWaits: 300 }

describe('judgeFailure', () => {
  it('retries a failing message until its last allowed delivery, then sets it aside', () => {
    const error = new Error('column "x" does not exist')
    expect(judgeFailure(error, 1, limits)).toEqual({ action: 'retry' })
    expect(judgeFailure(error, 4, limits)).toEqual({ action: 'retry' })
    expect(judgeFailure(error, 5, limits)).toEqual({ action: 'set-aside' })
  })

  it('never sets aside for a failure of the infrastructure', () => {
    const lost = Object.assign(new Error('terminating connection'), { code: '57P01' })
    expect(judgeFailure(lost, 1_000, limits)).toEqual({ action: 'retry' })
    expect(judgeFailure(new Error('wrapped', { cause: lost }), 1_000, limits)).toEqual({ action: 'retry' })
  })

  it('sets aside a malformed message at once, and rejects one its handler refused', () => {
    expect(judgeFailure(badRequest('undecodable bot report'), 1, limits)).toEqual({ action: 'set-aside' })
    expect(judgeFailure(new AppError(ErrorKinds.FORBIDDEN, 'not your job'), 1, limits)).toEqual({
      action: 'reject',
    })
  })

  it('lets a message wait for another, but not for ever', () => {
    const early = new RedeliverLater('report 3 came before report 2', 100)
    expect(judgeFailure(early, 299, limits)).toEqual({ action: 'wait' })
    expect(judgeFailure(early, 300, limits)).toEqual({ action: 'set-aside' })
  })
})
