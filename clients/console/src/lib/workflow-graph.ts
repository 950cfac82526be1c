/**
 * A workflow's graph laid out in layers, left to right: each node in the column of its longest path
 * from a source, edges that span several columns carried through placeholder points (so they are
 * ordered with the nodes and do not cut through them), each column ordered by the barycentre of its
 * neighbours, sweeping down and up and keeping the order with the fewest crossings. Pure: the page
 * draws what it answers. A definition is at most 100 nodes and 500 edges (decision 29).
 */
export interface GraphEdge {
  from: string
  to: string
  /** `success` when the definition leaves it out. */
  on?: string | undefined
}

export interface PlacedNode {
  key: string
  /** Its column. */
  layer: number
  /** Top-left corner. */
  x: number
  y: number
}

export interface PlacedEdge {
  from: string
  to: string
  /** The `on` of every edge between the same two nodes, in the definition's order. */
  labels: string[]
  /** An SVG path from the source's right side to the target's left side. */
  path: string
  /** Where its label goes: the middle of its first segment. */
  label: { x: number; y: number }
}

export interface GraphLayout {
  nodes: PlacedNode[]
  edges: PlacedEdge[]
  width: number
  height: number
}

export interface GraphSize {
  nodeWidth: number
  nodeHeight: number
  /** Between two columns (where edge labels go). */
  gapX: number
  /** Between two nodes of a column. */
  gapY: number
  /** The height a placeholder point of a long edge takes in a column. */
  passHeight: number
  margin: number
}

export const GRAPH_SIZE: GraphSize = {
  nodeWidth: 168,
  nodeHeight: 52,
  gapX: 96,
  gapY: 26,
  passHeight: 18,
  margin: 12,
}

/** Sweeps of the ordering; each is a pass down the columns and one back up. */
const SWEEPS = 6
/** Past this many segments between columns, crossings are not counted (the last order is kept). */
const COUNTED_SEGMENTS = 4000

interface Vertex {
  /** A node's key, or '' for a placeholder point of a long edge. */
  key: string
  layer: number
  preds: number[]
  succs: number[]
}

/** Lays out the graph of `keys` (in the definition's order) and `edges`; unknown keys in edges are left out. */
export function layoutGraph(
  keys: readonly string[],
  edges: readonly GraphEdge[],
  size: GraphSize = GRAPH_SIZE,
): GraphLayout {
  const index = new Map<string, number>()
  for (const key of keys) if (!index.has(key)) index.set(key, index.size)
  const unique = [...index.keys()]

  // Edges between the same two nodes are drawn once, with every label.
  const grouped = new Map<string, { from: number; to: number; labels: string[] }>()
  for (const edge of edges) {
    const from = index.get(edge.from)
    const to = index.get(edge.to)
    if (from === undefined || to === undefined || from === to) continue
    const id = `${from}>${to}`
    const label = edge.on || 'success'
    const found = grouped.get(id)
    if (found === undefined) grouped.set(id, { from, to, labels: [label] })
    else if (!found.labels.includes(label)) found.labels.push(label)
  }
  const links = [...grouped.values()]

  const layer = layersOf(unique.length, links)
  const vertices: Vertex[] = unique.map((key, i) => ({ key, layer: layer[i]!, preds: [], succs: [] }))
  /** Each link's chain of vertices, from its source to its target. */
  const chains = links.map(({ from, to }) => {
    const chain = [from]
    for (let l = layer[from]! + 1; l < layer[to]!; l++) {
      chain.push(vertices.length)
      vertices.push({ key: '', layer: l, preds: [], succs: [] })
    }
    chain.push(to)
    for (let i = 1; i < chain.length; i++) {
      vertices[chain[i - 1]!]!.succs.push(chain[i]!)
      vertices[chain[i]!]!.preds.push(chain[i - 1]!)
    }
    return chain
  })

  const columns = orderColumns(vertices)
  const position = placeVertices(vertices, columns, size)

  const nodes: PlacedNode[] = unique.map((key, i) => ({
    key,
    layer: vertices[i]!.layer,
    x: position[i]!.x,
    y: position[i]!.y,
  }))
  const half = size.nodeHeight / 2
  const placedEdges = links.map((link, i) => {
    const chain = chains[i]!
    const points: { x: number; y: number }[] = []
    chain.forEach((v, at) => {
      const p = position[v]!
      if (at === 0) points.push({ x: p.x + size.nodeWidth, y: p.y + half })
      else if (at === chain.length - 1) points.push({ x: p.x, y: p.y + half })
      else points.push({ x: p.x, y: p.y }, { x: p.x + size.nodeWidth, y: p.y })
    })
    const [a, b] = [points[0]!, points[1]!]
    return {
      from: unique[link.from]!,
      to: unique[link.to]!,
      labels: link.labels,
      path: pathThrough(points),
      label: { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 },
    }
  })

  const columnsCount = columns.length
  let height = 0
  for (const p of position) height = Math.max(height, p.bottom)
  return {
    nodes,
    edges: placedEdges,
    width:
      size.margin * 2 +
      Math.max(columnsCount, 1) * size.nodeWidth +
      Math.max(columnsCount - 1, 0) * size.gapX,
    height: height + size.margin,
  }
}

/**
 * Each node's column: the length of its longest path from a source (nodes of a cycle, which a saved
 * definition never has, go after every other).
 */
function layersOf(count: number, links: readonly { from: number; to: number }[]): number[] {
  const layer = new Array<number>(count).fill(0)
  const incoming = new Array<number>(count).fill(0)
  const out: number[][] = Array.from({ length: count }, () => [])
  for (const { from, to } of links) {
    incoming[to]!++
    out[from]!.push(to)
  }
  const queue: number[] = []
  for (let i = 0; i < count; i++) if (incoming[i] === 0) queue.push(i)
  const done = new Array<boolean>(count).fill(false)
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!
    done[v] = true
    for (const w of out[v]!) {
      layer[w] = Math.max(layer[w]!, layer[v]! + 1)
      if (--incoming[w]! === 0) queue.push(w)
    }
  }
  const deepest = Math.max(0, ...layer.filter((_, i) => done[i]))
  let next = deepest + 1
  for (let i = 0; i < count; i++) if (!done[i]) layer[i] = next++
  return layer
}

function orderColumns(vertices: readonly Vertex[]): number[][] {
  const columns: number[][] = []
  vertices.forEach((v, i) => {
    while (columns.length <= v.layer) columns.push([])
    columns[v.layer]!.push(i)
  })
  const rank = new Array<number>(vertices.length).fill(0)
  const rerank = () => {
    for (const column of columns)
      column.forEach((v, i) => {
        rank[v] = i
      })
  }
  rerank()
  const segments = vertices.reduce((sum, v) => sum + v.succs.length, 0)
  const counted = segments <= COUNTED_SEGMENTS
  let best = columns.map((column) => [...column])
  let fewest = counted ? crossings(columns, vertices, rank) : 0
  for (let sweep = 0; sweep < SWEEPS && (!counted || fewest > 0); sweep++) {
    for (let l = 1; l < columns.length; l++) sortByBarycentre(columns[l]!, vertices, rank, 'preds')
    rerank()
    for (let l = columns.length - 2; l >= 0; l--) sortByBarycentre(columns[l]!, vertices, rank, 'succs')
    rerank()
    if (!counted) continue
    const now = crossings(columns, vertices, rank)
    if (now < fewest) {
      fewest = now
      best = columns.map((column) => [...column])
    }
  }
  if (!counted) return columns
  return best
}

function sortByBarycentre(
  column: number[],
  vertices: readonly Vertex[],
  rank: number[],
  side: 'preds' | 'succs',
) {
  const centre = new Map<number, number>()
  for (const v of column) {
    const near = vertices[v]![side]
    // A vertex with no neighbour on that side keeps its place.
    centre.set(v, near.length === 0 ? rank[v]! : near.reduce((sum, n) => sum + rank[n]!, 0) / near.length)
  }
  column.sort((a, b) => centre.get(a)! - centre.get(b)! || rank[a]! - rank[b]!)
  column.forEach((v, i) => {
    rank[v] = i
  })
}

/** Crossings between every two neighbouring columns, by pairs of segments. */
function crossings(
  columns: readonly number[][],
  vertices: readonly Vertex[],
  rank: readonly number[],
): number {
  let total = 0
  for (let l = 0; l + 1 < columns.length; l++) {
    const segments: [number, number][] = []
    for (const v of columns[l]!) for (const w of vertices[v]!.succs) segments.push([rank[v]!, rank[w]!])
    for (let i = 0; i < segments.length; i++)
      for (let j = i + 1; j < segments.length; j++) {
        const [a1, b1] = segments[i]!
        const [a2, b2] = segments[j]!
        if ((a1 - a2) * (b1 - b2) < 0) total++
      }
  }
  return total
}

/** Top-left corners (a placeholder point: its centre line), columns centred on the tallest. */
function placeVertices(
  vertices: readonly Vertex[],
  columns: readonly number[][],
  size: GraphSize,
): { x: number; y: number; bottom: number }[] {
  const out = new Array<{ x: number; y: number; bottom: number }>(vertices.length)
  const heightOf = (v: number) => (vertices[v]!.key === '' ? size.passHeight : size.nodeHeight)
  const columnHeight = columns.map(
    (column) => column.reduce((sum, v) => sum + heightOf(v), 0) + Math.max(column.length - 1, 0) * size.gapY,
  )
  const tallest = Math.max(0, ...columnHeight)
  columns.forEach((column, l) => {
    const x = size.margin + l * (size.nodeWidth + size.gapX)
    let y = size.margin + (tallest - columnHeight[l]!) / 2
    for (const v of column) {
      const h = heightOf(v)
      out[v] = vertices[v]!.key === '' ? { x, y: y + h / 2, bottom: y + h } : { x, y, bottom: y + h }
      y += h + size.gapY
    }
  })
  return out
}

/** A smooth path through the points, leaving and reaching each one horizontally. */
function pathThrough(points: readonly { x: number; y: number }[]): string {
  const r = (n: number) => Math.round(n * 10) / 10
  let d = `M${r(points[0]!.x)},${r(points[0]!.y)}`
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!
    const b = points[i]!
    if (a.y === b.y) {
      d += ` L${r(b.x)},${r(b.y)}`
      continue
    }
    const dx = (b.x - a.x) / 2
    d += ` C${r(a.x + dx)},${r(a.y)} ${r(b.x - dx)},${r(b.y)} ${r(b.x)},${r(b.y)}`
  }
  return d
}
