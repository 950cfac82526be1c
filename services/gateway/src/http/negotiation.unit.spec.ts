import { describe, expect, it } from 'vitest'
import { prefersHtml } from './negotiation.js'

const accepting = (accept?: string) => prefersHtml({ headers: accept === undefined ? {} : { accept } })

describe('whether a client prefers HTML', () => {
  it('is true for browsers navigating (a form submission)', () => {
    expect(accepting('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')).toBe(true)
    expect(accepting('text/html')).toBe(true)
  })

  it('is false for API clients and undecided ones', () => {
    expect(accepting()).toBe(false)
    expect(accepting('application/json')).toBe(false)
    expect(accepting('*/*')).toBe(false)
    expect(accepting('text/html;q=0.5, application/json')).toBe(false)
    expect(accepting('text/html;q=0')).toBe(false)
    expect(accepting('text/*;q=abc')).toBe(false)
  })
})
