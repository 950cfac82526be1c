import { describe, expect, it } from 'vitest'
import { looksLikeForm, parseFormBody } from './form-body.js'

describe('form bodies', () => {
  it('reads what curl --data-urlencode sends for "customer = demo" (spaces kept in the name)', () => {
    expect(parseFormBody('customer =+demo&task =+0190-abc', { trimValues: true })).toEqual({
      customer: 'demo',
      task: '0190-abc',
    })
    expect(parseFormBody('customer%20=%20demo', { trimValues: true })).toEqual({ customer: 'demo' })
  })

  it('collects task_arguments[] in order, indexed ones by index, and makes task_arguments a list', () => {
    expect(parseFormBody('task_arguments[]=a&task_arguments[]=b+c')).toEqual({ task_arguments: ['a', 'b c'] })
    expect(parseFormBody('task_arguments[1]=second&task_arguments[0]=first')).toEqual({
      task_arguments: ['first', 'second'],
    })
    expect(parseFormBody('task_arguments=only')).toEqual({ task_arguments: ['only'] })
    expect(parseFormBody('tag=a&tag=b')).toEqual({ tag: ['a', 'b'] })
  })

  it('keeps every value of a list, so that a list past its limit is refused rather than cut', () => {
    const body = Array.from({ length: 1001 }, (_, i) => `task_arguments[]=${i}`).join('&')
    expect(parseFormBody(body).task_arguments).toHaveLength(1001)
  })

  it('keeps values as sent unless asked to trim, and drops names that reach prototypes', () => {
    expect(parseFormBody('task_arguments[]=+spaced+')).toEqual({ task_arguments: [' spaced '] })
    const parsed = parseFormBody('__proto__[]=1&__proto__=0&constructor=2&ok=3')
    expect(parsed).toEqual({ ok: '3' })
    expect(({} as Record<string, unknown>).x).toBeUndefined()
  })

  it('tells a form from JSON and from text', () => {
    expect(looksLikeForm('customer = demo&task = x')).toBe(true)
    expect(looksLikeForm('a=1')).toBe(true)
    expect(looksLikeForm('{"a":1}')).toBe(false)
    expect(looksLikeForm('[1]')).toBe(false)
    expect(looksLikeForm('plain text')).toBe(false)
    expect(looksLikeForm('=value')).toBe(false)
  })
})
