import { describe, expect, it } from 'vitest'
import { normalizeSubscriptionUrl, withToken } from './target-url.js'

describe('subscription URLs', () => {
  it('adds the token as Kanboard does: ?token= or &token=', () => {
    expect(withToken('https://hooks.example.com/in', 'abc')).toBe('https://hooks.example.com/in?token=abc')
    expect(withToken('https://hooks.example.com/in?x=1', 'abc')).toBe(
      'https://hooks.example.com/in?x=1&token=abc',
    )
    expect(withToken('https://hooks.example.com/in?', 'abc')).toBe('https://hooks.example.com/in?token=abc')
    expect(withToken('https://hooks.example.com/in#top', 'abc')).toBe(
      'https://hooks.example.com/in?token=abc',
    )
  })

  it('keeps http and https URLs, as the URL parser reads them', () => {
    expect(normalizeSubscriptionUrl(' https://Hooks.Example.com/in?x=1#frag ')).toBe(
      'https://hooks.example.com/in?x=1',
    )
    expect(normalizeSubscriptionUrl('http://2130706433:8080/')).toBe('http://127.0.0.1:8080/')
    expect(normalizeSubscriptionUrl('http://0x7f000001/')).toBe('http://127.0.0.1/')
    expect(normalizeSubscriptionUrl('http://[::ffff:127.0.0.1]/')).toBe('http://[::ffff:7f00:1]/')
  })

  it.each([
    ['ftp://example.com/', /http or https/],
    ['file:///etc/passwd', /http or https/],
    ['not a url', /not a valid URL/],
    ['', /url is required/],
    ['https://user:pass@example.com/', /credentials/],
    [
      `https://example.com/${'a'.repeat(2048)}`,
      /^url is 2068 bytes; the limit is 2048 bytes \(subscription url size\)$/,
    ],
  ])('refuses %s', (url, message) => {
    expect(() => normalizeSubscriptionUrl(url)).toThrow(message)
  })
})
