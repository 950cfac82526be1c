import { createLogger } from '@taskforge/telemetry'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Quarantine } from './quarantine.js'
import { freshStore } from './test-support/index.js'
import type { Db } from './types.js'

const logger = createLogger('quarantine-test', {}, { level: 'silent' })
let db: Db

beforeEach(async () => {
  ;({ db } = await freshStore())
})

afterEach(async () => {
  await db?.destroy()
})

/** Every byte value, as a hostile publisher would send them. */
const everyByte = Uint8Array.from({ length: 256 }, (_, index) => index)

function poisonMessage(sequence: number, overrides: { pipeline?: string; error?: unknown } = {}) {
  return {
    pipeline: overrides.pipeline ?? 'consumer:REPORTS/job-scheduler-reports',
    key: `REPORTS:${sequence}`,
    customer: 'glob\u0000ex',
    subject: 'reports.bot-1',
    streamSequence: sequence,
    data: everyByte,
    headers: { 'Nats-Msg-Id': `id-${sequence}`, odd: 'a\u0000b\ud800' },
    error: overrides.error ?? new Error('cannot apply \u0000 \ud800'),
    attempts: 5,
  }
}

describe('Quarantine', () => {
  it('keeps a message whole, whatever its bytes, and hands it back for a replay', async () => {
    const seen: number[][] = []
    const quarantine = new Quarantine(db, { logger })
    quarantine.registerReplayer('consumer:REPORTS/', async (_item, message) => {
      seen.push([...(message?.data ?? [])])
    })
    await quarantine.setAsideMessage(poisonMessage(7))
    const [item] = await quarantine.list()
    expect(item).toMatchObject({
      kind: 'message',
      key: 'REPORTS:7',
      customer: 'glob\uFFFDex',
      subject: 'reports.bot-1',
      streamSequence: 7,
      sizeBytes: 256,
      attempts: 5,
      status: 'quarantined',
      times: 1,
    })
    expect(item!.error).toContain('cannot apply \uFFFD \uFFFD')

    expect(await quarantine.replay(item!.id)).toMatchObject({ status: 'replayed' })
    expect(seen).toEqual([[...everyByte]])
  })

  it('counts an item set aside again in its row, and keeps a failed replay quarantined with its error', async () => {
    const counted: string[] = []
    const quarantine = new Quarantine(db, { logger, onQuarantined: (pipeline) => counted.push(pipeline) })
    await quarantine.setAsideMessage(poisonMessage(1))
    await quarantine.setAsideMessage(poisonMessage(1))
    const [item, ...others] = await quarantine.list()
    expect(others).toEqual([])
    expect(item!.times).toBe(2)
    expect(counted).toHaveLength(2)

    quarantine.registerReplayer('consumer:', async () => {
      throw new Error('still broken')
    })
    await expect(quarantine.replay(item!.id)).rejects.toMatchObject({ code: 'INVALID_STATE' })
    expect(await quarantine.get(item!.id)).toMatchObject({
      status: 'quarantined',
      replayError: 'Error: still broken',
    })
  })

  it('lists by status and pipeline, pages by id, and counts what is still set aside', async () => {
    const quarantine = new Quarantine(db, { logger })
    for (let sequence = 1; sequence <= 5; sequence += 1)
      await quarantine.setAsideMessage(poisonMessage(sequence))
    await quarantine.setAsideMessage(poisonMessage(1, { pipeline: 'consumer:EVENTS/webhook-relay' }))
    quarantine.registerReplayer('consumer:EVENTS/', async () => undefined)
    const [relayItem] = await quarantine.list({ pipeline: 'consumer:EVENTS/webhook-relay' })
    await quarantine.replay(relayItem!.id)

    const firstPage = await quarantine.list({ status: 'quarantined', limit: 3 })
    const secondPage = await quarantine.list({
      status: 'quarantined',
      limit: 3,
      afterId: firstPage.at(-1)!.id,
    })
    expect([...firstPage, ...secondPage].map((item) => item.key)).toEqual(
      [1, 2, 3, 4, 5].map((n) => `REPORTS:${n}`),
    )
    expect(await quarantine.list({ status: 'replayed' })).toHaveLength(1)
    expect(await quarantine.counts()).toEqual(new Map([['consumer:REPORTS/job-scheduler-reports', 5]]))
  })

  it('answers NOT_FOUND for an unknown item, and UNAVAILABLE when nothing here can replay it', async () => {
    const quarantine = new Quarantine(db, { logger })
    await expect(quarantine.replay('0190d3a0-0000-7000-8000-000000000000')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    await quarantine.setAsideMessage(poisonMessage(1))
    const [item] = await quarantine.list()
    await expect(quarantine.replay(item!.id)).rejects.toMatchObject({ code: 'UNAVAILABLE' })
  })
})
