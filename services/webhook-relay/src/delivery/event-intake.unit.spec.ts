import { describe, expect, it } from 'vitest'
import { webhookBody } from './event-intake.js'

describe('webhookBody', () => {
  it("sends a job's texts as well-formed text, whatever an old event holds", () => {
    const body = webhookBody(
      'job.finish',
      { job: { output: ['a\u0000b', '\ud800'], result: { log: 'x\u0000' } } },
      'b1',
    )
    expect(body).not.toContain('\\u0000')
    expect(JSON.parse(body)).toEqual({
      event_name: 'job.finish',
      event_data: { job: { output: ['a\ufffdb', '\ufffd'], result: { log: 'x\ufffd' } } },
      event_author: 'b1',
    })
  })
})
