import { describe, expect, it } from 'vitest'
import { AttemptRecorder } from './attempt-recorder.js'
import type { RecordedAttempt } from './delivery-store.js'

const attempt = (id: string) => ({ delivery: { id } }) as unknown as RecordedAttempt

describe('AttemptRecorder', () => {
  it('writes the attempts of one turn together, and those finished meanwhile together in the next write', async () => {
    const writes: string[][] = []
    let release: () => void = () => {}
    let written: () => void = () => {}
    const firstWrite = new Promise<void>((resolve) => (written = resolve))
    const recorder = new AttemptRecorder(async (attempts) => {
      writes.push(attempts.map((entry) => entry.delivery.id))
      if (writes.length === 1) {
        written()
        await new Promise<void>((resolve) => (release = resolve))
      }
    })
    const first = ['a', 'b'].map((id) => recorder.record(attempt(id)))
    await firstWrite
    const later = ['c', 'd', 'e'].map((id) => recorder.record(attempt(id)))
    release()
    await Promise.all([...first, ...later])
    expect(writes).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ])
  })

  it('writes a batch again after a deadlock, and fails only its own attempts on another error', async () => {
    let calls = 0
    const recorder = new AttemptRecorder(async (attempts) => {
      calls += 1
      if (calls === 1) throw Object.assign(new Error('deadlock detected'), { code: '40P01' })
      if (attempts[0]?.delivery.id === 'broken') throw new Error('no database')
    })
    await expect(recorder.record(attempt('a'))).resolves.toBeUndefined()
    expect(calls).toBe(2)
    await expect(recorder.record(attempt('broken'))).rejects.toThrow('no database')
    await expect(recorder.record(attempt('b'))).resolves.toBeUndefined()
  })
})
