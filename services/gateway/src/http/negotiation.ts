import type { FastifyRequest } from 'fastify'

interface MediaRange {
  type: string
  subtype: string
  q: number
}

function mediaRanges(accept: string): MediaRange[] {
  return accept
    .split(',')
    .slice(0, 50)
    .map((part) => {
      const [range = '', ...params] = part.split(';')
      const [type = '', subtype = ''] = range.trim().toLowerCase().split('/')
      const qParam = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='))
      const q = qParam === undefined ? 1 : Number(qParam.slice(2))
      return { type, subtype, q: Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0 }
    })
}

/** The quality the Accept header gives a media type: its most specific matching range wins. */
function qualityOf(ranges: MediaRange[], type: string, subtype: string): number {
  let best: { specificity: number; q: number } = { specificity: -1, q: 0 }
  for (const range of ranges) {
    const specificity =
      range.type === type && range.subtype === subtype
        ? 2
        : range.type === type && range.subtype === '*'
          ? 1
          : range.type === '*' && range.subtype === '*'
            ? 0
            : -1
    if (specificity > best.specificity) best = { specificity, q: range.q }
  }
  return best.q
}

/**
 * Whether the client would rather read HTML than JSON, as a browser submitting a form would. A client
 * that accepts both equally (no header, `*\/*`, API clients) gets JSON.
 */
export function prefersHtml(request: Pick<FastifyRequest, 'headers'>): boolean {
  const accept = request.headers.accept
  if (typeof accept !== 'string' || accept === '') return false
  const ranges = mediaRanges(accept)
  const html = qualityOf(ranges, 'text', 'html')
  return html > 0 && html > qualityOf(ranges, 'application', 'json')
}
