import { describe, expect, it } from 'vitest'
import { waitingReason } from './waiting.js'

describe('why a job waits', () => {
  it("prefers the gateway's reason, in words", () => {
    expect(waitingReason({ lifecycle: 'ready', waiting_reason: 'bot local is offline' })).toBe(
      'bot local is offline',
    )
    expect(
      waitingReason({
        lifecycle: 'onhold',
        waiting_reason: { code: 'on_hold', until: '2026-01-01T00:00:00Z' },
      }),
    ).toBe('on hold until 2026-01-01T00:00:00Z')
  })

  it('tells from the bot and the task when the gateway does not say', () => {
    const offline = { name: 'edge', online: false, last_seen: null }
    expect(waitingReason({ lifecycle: 'assigned', bot: offline })).toBe(
      'bot edge is offline: the job starts when it connects',
    )
    expect(waitingReason({ lifecycle: 'assigned', bot: { ...offline, online: true } })).toBeUndefined()
    expect(waitingReason({ lifecycle: 'ready', bot: { ...offline, online: true }, busy: true })).toMatch(
      /not multitasking/,
    )
    expect(waitingReason({ lifecycle: 'finished', bot: offline })).toBeUndefined()
  })
})
