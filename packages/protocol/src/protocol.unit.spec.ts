import { describe, expect, it } from 'vitest'
import { Durables } from './durables.js'
import { botOfHeartbeatSubject, CONTROL_STREAM, Streams, subjects } from './streams.js'

/** Whether a NATS subject falls under a stream's subject filter (`>` tail wildcard only). */
const captures = (filter: string, subject: string) =>
  filter.endsWith('.>') ? subject.startsWith(filter.slice(0, -1)) : filter === subject

describe('protocol', () => {
  it("puts each bot's subjects in the stream that carries them", () => {
    const botId = '0b7f8a4e-2f4c-4a43-9a44-0c8cfc1d6c11'
    expect(captures(Streams.DISPATCH.subjects[0], subjects.dispatch(botId))).toBe(true)
    expect(captures(Streams.REPORTS.subjects[0], subjects.report(botId))).toBe(true)
    expect(captures(CONTROL_STREAM.subjects[0], subjects.control(botId))).toBe(true)
    expect(captures(Streams.EVENTS.subjects[0], subjects.event('job', 'assigned'))).toBe(true)
    expect(captures(subjects.everyHeartbeat, subjects.heartbeat(botId))).toBe(true)
  })

  it('reads the bot back from its heartbeat subject, and nothing from another', () => {
    expect(botOfHeartbeatSubject(subjects.heartbeat('b1'))).toBe('b1')
    expect(botOfHeartbeatSubject(subjects.report('b1'))).toBeUndefined()
    expect(botOfHeartbeatSubject('heartbeats.b1.extra')).toBeUndefined()
  })

  it("gives each bot's durables distinct names", () => {
    expect(Durables.botDispatch('b1')).not.toBe(Durables.botControl('b1'))
    expect(Durables.botDispatch('b1')).not.toBe(Durables.botDispatch('b2'))
  })
})
