import { describe, expect, it } from 'vitest'
import { GRAPH_SIZE, type GraphLayout, layoutGraph } from './workflow-graph.js'

const at = (layout: GraphLayout, key: string) => layout.nodes.find((node) => node.key === key)!

describe('workflow graph layout', () => {
  it('puts each node in the column of its longest path: A → {B, C} → D', () => {
    const layout = layoutGraph(
      ['a', 'b', 'c', 'd'],
      [
        { from: 'a', to: 'b' },
        { from: 'a', to: 'c', on: 'failure' },
        { from: 'b', to: 'd' },
        { from: 'c', to: 'd', on: 'always' },
      ],
    )
    expect(layout.nodes.map((node) => [node.key, node.layer])).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 1],
      ['d', 2],
    ])
    expect(at(layout, 'b').x).toBe(at(layout, 'c').x)
    expect(at(layout, 'b').x).toBeGreaterThan(at(layout, 'a').x + GRAPH_SIZE.nodeWidth)
    expect(layout.edges.map((edge) => `${edge.from}>${edge.to} ${edge.labels.join(',')}`)).toEqual([
      'a>b success',
      'a>c failure',
      'b>d success',
      'c>d always',
    ])
  })

  it('draws the edges between the same two nodes once, with every label, and leaves out unknown keys', () => {
    const layout = layoutGraph(
      ['build', 'notify'],
      [
        { from: 'build', to: 'notify', on: 'failure' },
        { from: 'build', to: 'notify', on: 'deployed' },
        { from: 'build', to: 'ghost' },
      ],
    )
    expect(layout.edges).toHaveLength(1)
    expect(layout.edges[0]!.labels).toEqual(['failure', 'deployed'])
    expect(layout.edges[0]!.path).toMatch(/^M[\d.]+,[\d.]+ /)
  })

  it('carries an edge over a column through a point of its own, so it is ordered with the nodes', () => {
    // a → b → c and a → c: c is in column 2, and a → c passes column 1 beside b.
    const layout = layoutGraph(
      ['a', 'b', 'c'],
      [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'a', to: 'c', on: 'failure' },
      ],
    )
    expect(at(layout, 'c').layer).toBe(2)
    const long = layout.edges.find((edge) => edge.from === 'a' && edge.to === 'c')!
    // Two bends (into and out of the passing point) and a straight run across column 1.
    expect(long.path.match(/C/g)).toHaveLength(2)
    expect(long.path).toContain(' L')
  })

  it('orders a column by its neighbours so that edges do not cross', () => {
    // In the definition's order, p comes before q, but p follows y and q follows x.
    const layout = layoutGraph(
      ['a', 'x', 'y', 'p', 'q'],
      [
        { from: 'a', to: 'x' },
        { from: 'a', to: 'y' },
        { from: 'y', to: 'p' },
        { from: 'x', to: 'q' },
      ],
    )
    expect(Math.sign(at(layout, 'x').y - at(layout, 'y').y)).toBe(
      Math.sign(at(layout, 'q').y - at(layout, 'p').y),
    )
  })

  it('keeps every node inside the drawing and apart from the others', () => {
    const keys = Array.from({ length: 30 }, (_, i) => `n${i}`)
    const edges = keys.slice(1).map((key, i) => ({ from: keys[Math.floor(i / 3)]!, to: key }))
    const layout = layoutGraph(keys, edges)
    for (const node of layout.nodes) {
      expect(node.x + GRAPH_SIZE.nodeWidth).toBeLessThanOrEqual(layout.width)
      expect(node.y + GRAPH_SIZE.nodeHeight).toBeLessThanOrEqual(layout.height)
    }
    for (const a of layout.nodes)
      for (const b of layout.nodes)
        if (a !== b && a.layer === b.layer)
          expect(Math.abs(a.y - b.y)).toBeGreaterThanOrEqual(GRAPH_SIZE.nodeHeight)
  })

  it('lays out the largest definition, every node fanning out to all after it', () => {
    const keys = Array.from({ length: 100 }, (_, i) => `n${i}`)
    const edges = []
    for (let i = 0; i < 99 && edges.length < 500; i++)
      for (let j = i + 1; j < Math.min(i + 6, 100); j++) edges.push({ from: keys[i]!, to: keys[j]! })
    const layout = layoutGraph(keys, edges.slice(0, 500))
    expect(layout.nodes).toHaveLength(100)
    expect(new Set(layout.nodes.map((node) => node.layer)).size).toBe(100)
  })

  it('still draws a graph with a cycle, which no saved definition has', () => {
    const layout = layoutGraph(
      ['a', 'b'],
      [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'a' },
      ],
    )
    expect(layout.nodes).toHaveLength(2)
    expect(at(layout, 'a').layer).not.toBe(at(layout, 'b').layer)
  })
})
