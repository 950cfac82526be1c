import { checkSize, Limits, validationFailed } from '@taskforge/core'

/**
 * Checks a subscription URL and answers it normalized (as the URL parser reads it, which is also
 * what a delivery connects to): http or https, a host, no credentials. Where it points is checked at
 * each delivery, against the addresses its name resolves to then.
 */
export function normalizeSubscriptionUrl(input: string): string {
  const text = input.trim()
  if (text.length === 0) throw validationFailed('url is required', { field: 'url' })
  checkSize(Limits.subscriptionUrl, 'url', text)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw validationFailed('url is not a valid URL', { field: 'url' })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw validationFailed('url must be http or https', { field: 'url' })
  }
  if (url.hostname === '') throw validationFailed('url needs a host', { field: 'url' })
  if (url.username !== '' || url.password !== '') {
    throw validationFailed('url may not hold credentials; receivers check the token instead', {
      field: 'url',
    })
  }
  url.hash = ''
  return url.href
}

/** The URL a delivery posts to: the subscription's with `token=` added to its query (Kanboard's way). */
export function withToken(url: string, token: string): string {
  const base = url.split('#')[0] ?? url
  const separator = base.endsWith('?') ? '' : base.includes('?') ? '&' : '?'
  return `${base}${separator}token=${encodeURIComponent(token)}`
}
