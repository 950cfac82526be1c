import { nanos } from '@nats-io/transport-node'
import { describe, expect, it } from 'vitest'
import { consumerConfig, streamConfig } from './declare.js'
import { Streams } from './streams.js'

describe('streamConfig', () => {
  it('takes replicas from NATS_STREAM_REPLICAS', () => {
    expect(streamConfig(Streams.EVENTS, {}, {}).num_replicas).toBe(1)
    expect(streamConfig(Streams.EVENTS, {}, { NATS_STREAM_REPLICAS: '3' }).num_replicas).toBe(3)
    expect(() => streamConfig(Streams.EVENTS, {}, { NATS_STREAM_REPLICAS: 'three' })).toThrow(
      /NATS_STREAM_REPLICAS/,
    )
  })

  it('lets overrides win', () => {
    expect(streamConfig(Streams.DISPATCH, { max_age: nanos(1_000) }, {})).toMatchObject({
      name: 'DISPATCH',
      subjects: ['dispatch.>'],
      max_age: nanos(1_000),
      duplicate_window: nanos(120_000),
    })
  })
})

describe('consumerConfig', () => {
  it('uses filter_subject for one subject and filter_subjects for several', () => {
    expect(consumerConfig({ durable: 'd', filterSubjects: ['events.job.>'] })).toMatchObject({
      filter_subject: 'events.job.>',
      filter_subjects: undefined,
    })
    expect(consumerConfig({ durable: 'd', filterSubjects: ['a.>', 'b.>'] })).toMatchObject({
      filter_subjects: ['a.>', 'b.>'],
      filter_subject: undefined,
    })
  })

  it('defaults to explicit ack, 30s ack wait and unlimited deliveries', () => {
    expect(consumerConfig({ durable: 'd', filterSubjects: ['x'], maxAckPending: 10 })).toMatchObject({
      durable_name: 'd',
      ack_policy: 'explicit',
      deliver_policy: 'all',
      ack_wait: nanos(30_000),
      max_deliver: -1,
      max_ack_pending: 10,
    })
  })
})
