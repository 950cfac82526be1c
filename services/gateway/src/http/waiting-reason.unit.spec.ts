import { describe, expect, it } from 'vitest'
import { waitingReason } from './waiting-reason.js'

const online = { name: 'b1', online: true }

describe('why a job waits', () => {
  it('names the first reason that holds', () => {
    const base = { lifecycle: 'ready', bot: online, multitasking: true, taskRunning: false }
    expect(waitingReason({ ...base, lifecycle: 'onhold' })?.code).toBe('on_hold')
    expect(
      waitingReason({ ...base, lifecycle: 'onhold', holdUntil: new Date('2026-12-07T21:00:00.000Z') }),
    ).toEqual({
      code: 'on_hold',
      message: 'on hold until 2026-12-07T21:00:00.000Z: a triggered run waits for its grace time, then runs',
      until: '2026-12-07T21:00:00.000Z',
    })
    expect(waitingReason({ ...base, bot: { name: 'b1', online: false } })).toEqual({
      code: 'bot_offline',
      message: 'its bot b1 is offline',
    })
    expect(waitingReason({ ...base, bot: undefined })?.code).toBe('bot_offline')
    expect(waitingReason({ ...base, multitasking: false, taskRunning: true })?.code).toBe('task_busy')
    expect(waitingReason({ ...base, multitasking: true, taskRunning: true })?.code).toBe('queued')
    expect(waitingReason(base)?.code).toBe('queued')
  })

  it('says an assigned job waits for its offline bot, and has none once it runs or ended', () => {
    expect(
      waitingReason({
        lifecycle: 'assigned',
        bot: { name: 'b', online: false },
        multitasking: true,
        taskRunning: false,
      })?.code,
    ).toBe('bot_offline')
    expect(
      waitingReason({ lifecycle: 'assigned', bot: online, multitasking: false, taskRunning: true }),
    ).toBeUndefined()
    for (const lifecycle of ['finished', 'terminated', 'canceled'])
      expect(
        waitingReason({ lifecycle, bot: undefined, multitasking: false, taskRunning: true }),
      ).toBeUndefined()
  })
})
