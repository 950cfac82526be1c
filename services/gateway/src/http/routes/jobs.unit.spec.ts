import { describe, expect, it } from 'vitest'
import { decodeCursor, encodeCursor } from './jobs.js'

const ID = '01a251be-620f-7440-9be8-fbb6c3c30340'

describe('jobs list cursors', () => {
  it('name the last job of a page and come back as they went', () => {
    const creationDate = new Date('2026-12-07T18:00:00.123Z')
    expect(decodeCursor(encodeCursor({ creationDate, id: ID }))).toEqual({ creationDate, id: ID })
  })

  it('refuse with 400 whatever this API did not answer', () => {
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    for (const cursor of [
      'x',
      '!!!',
      'a'.repeat(301),
      forged({ at: 1 }),
      forged(['2026-12-07T18:00:00.000Z']),
      forged(['yesterday', ID]),
      forged(['2026-12-07T18:00:00Z', ID]),
      forged(['2026-12-07T18:00:00.000Z', 'not-an-id']),
      forged(['2026-12-07T18:00:00.000Z', ID, 1]),
    ])
      expect(() => decodeCursor(cursor), cursor).toThrow(expect.objectContaining({ httpStatus: 400 }))
  })
})
