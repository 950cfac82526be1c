import { describe, expect, it } from 'vitest'
import { decodeEnvelope, encodeEnvelope } from './envelope.js'

describe('envelope', () => {
  it('round-trips a stored event with its trace and 64-bit positions', () => {
    const envelope = decodeEnvelope(
      encodeEnvelope({
        eventId: 'e1',
        streamType: 'job',
        streamId: 'j1',
        streamVersion: 2n ** 60n,
        type: 'assigned',
        data: new Uint8Array([1, 2, 3]),
        metadata: {
          customer: 'acme',
          causationId: 'c0',
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
          tracestate: 'k=v',
        },
        occurredAt: new Date('2024-01-01T00:00:00.123Z'),
        transactionId: 2n ** 63n + 5n,
        position: 7n,
      }),
    )
    expect(envelope).toMatchObject({
      eventId: 'e1',
      streamVersion: 2n ** 60n,
      customer: 'acme',
      causationId: 'c0',
      correlationId: '',
      author: '',
      trace: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'k=v' },
      occurredAt: new Date('2024-01-01T00:00:00.123Z'),
      transactionId: 2n ** 63n + 5n,
      globalPosition: 7n,
    })
    expect([...envelope.data]).toEqual([1, 2, 3])
  })
})
