import { nanos } from '@nats-io/transport-node'
import { Streams } from '@taskforge/protocol'
import { describe, expect, it } from 'vitest'
import { consumerConfig, STREAM_LIMIT_DEFAULTS, streamConfig } from './declare.js'

describe('streamConfig', () => {
  it('takes replicas from NATS_STREAM_REPLICAS', () => {
    expect(streamConfig(Streams.EVENTS, {}, {}).num_replicas).toBe(1)
    expect(streamConfig(Streams.EVENTS, {}, { NATS_STREAM_REPLICAS: '3' }).num_replicas).toBe(3)
    expect(() => streamConfig(Streams.EVENTS, {}, { NATS_STREAM_REPLICAS: 'three' })).toThrow(
      /NATS_STREAM_REPLICAS/,
    )
  })

  it('bounds REPORTS in bytes and per bot, and DISPATCH in bytes, from the environment', () => {
    expect(streamConfig(Streams.REPORTS, {}, {})).toMatchObject({
      max_bytes: STREAM_LIMIT_DEFAULTS.reportsMaxBytes,
      max_msgs_per_subject: STREAM_LIMIT_DEFAULTS.reportsMaxMsgsPerBot,
      discard: 'old',
    })
    expect(
      streamConfig(
        Streams.REPORTS,
        {},
        { NATS_REPORTS_MAX_BYTES: '1000000', NATS_REPORTS_MAX_MSGS_PER_BOT: '50' },
      ),
    ).toMatchObject({ max_bytes: 1_000_000, max_msgs_per_subject: 50 })
    expect(streamConfig(Streams.DISPATCH, {}, { NATS_DISPATCH_MAX_BYTES: '4096' }).max_bytes).toBe(4096)
    expect(streamConfig(Streams.EVENTS, {}, {}).max_bytes).toBeUndefined()
    expect(() => streamConfig(Streams.REPORTS, {}, { NATS_REPORTS_MAX_MSGS_PER_BOT: '0' })).toThrow(
      /NATS_REPORTS_MAX_MSGS_PER_BOT/,
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
