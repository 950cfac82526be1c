import { describe, expect, it } from 'vitest'
import { PerKeyQueue } from './per-key-queue.js'

const tick = () => new Promise((resolve) => setImmediate(resolve))

describe('PerKeyQueue', () => {
  it('runs the tasks of one key in order, and other keys meanwhile', async () => {
    const queue = new PerKeyQueue()
    const log: string[] = []
    let releaseA1: () => void = () => {}
    const a1 = queue.run('a', async () => {
      log.push('a1 start')
      await new Promise<void>((resolve) => {
        releaseA1 = resolve
      })
      log.push('a1 end')
    })
    const a2 = queue.run('a', async () => {
      log.push('a2')
    })
    const b1 = queue.run('b', async () => {
      log.push('b1')
    })
    await b1
    await tick()
    expect(log).toEqual(['a1 start', 'b1'])
    releaseA1()
    await Promise.all([a1, a2])
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2'])
    await tick()
    expect(queue.size).toBe(0)
  })

  it('runs the next task of a key after one that failed, and hands each its own outcome', async () => {
    const queue = new PerKeyQueue()
    const failed = queue.run('a', async () => {
      throw new Error('boom')
    })
    const next = queue.run('a', async () => 'ok')
    await expect(failed).rejects.toThrow('boom')
    await expect(next).resolves.toBe('ok')
  })
})
