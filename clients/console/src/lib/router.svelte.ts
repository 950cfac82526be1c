/**
 * The console's place is in the URL's fragment (`#/jobs?state=failure`), so every page and every
 * filter can be linked, reloaded and gone back to, and the gateway serves one file for all of them.
 */
export interface Place {
  path: string
  parts: string[]
  query: URLSearchParams
}

function read(): Place {
  const hash = location.hash.replace(/^#/, '') || '/tasks'
  const [path = '/tasks', search = ''] = hash.split('?', 2)
  return {
    path,
    parts: path.split('/').filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(search),
  }
}

export const route = $state<{ place: Place }>({ place: read() })

window.addEventListener('hashchange', () => {
  route.place = read()
})

/** A link to a place: `href('/job', id)`, `href('/jobs', { state: 'failure' })`. */
export function href(path: string, ...rest: (string | Record<string, string | undefined>)[]): string {
  let out = `#${path}`
  for (const part of rest) {
    if (typeof part === 'string') out += `/${encodeURIComponent(part)}`
    else {
      const query = new URLSearchParams()
      for (const [key, value] of Object.entries(part)) if (value) query.set(key, value)
      const text = query.toString()
      if (text) out += `?${text}`
    }
  }
  return out
}

export function go(link: string, replace = false): void {
  if (replace) history.replaceState(null, '', link)
  else history.pushState(null, '', link)
  route.place = read()
}
