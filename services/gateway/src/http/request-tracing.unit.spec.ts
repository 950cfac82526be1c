import { describe, expect, it } from 'vitest'
import { pathOf } from './request-tracing.js'

describe('traced request path', () => {
  it('drops the query and masks secret keys', () => {
    expect(pathOf('/demo/task/t1?access_token=abc')).toBe('/demo/task/t1')
    expect(pathOf('/demo/task/t1/secret/0123abcd/job')).toBe('/demo/task/t1/secret/:secret/job')
    expect(pathOf('/job/secret/0123abcd?x=1')).toBe('/job/secret/:secret')
    expect(pathOf('/demo/webhook/w1/trigger/secret/feed')).toBe('/demo/webhook/w1/trigger/secret/:secret')
  })
})
