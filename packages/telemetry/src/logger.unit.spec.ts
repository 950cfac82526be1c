import { Writable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { createLogger } from './logger.js'
import { collectSpans } from './span-collector.js'
import { withSpan } from './with-span.js'

const collector = collectSpans('logger-test')
afterAll(() => collector.stop())

function capture(): { stream: Writable; lines(): Record<string, unknown>[] } {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString())
      done()
    },
  })
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  }
}

describe('createLogger', () => {
  it('writes JSON lines that carry the active trace and span ids', async () => {
    const out = capture()
    const log = createLogger('unit', { component: 'test' }, { destination: out.stream, level: 'info' })
    const ids = await withSpan('work', {}, async (span) => {
      log.info({ jobId: 'j1' }, 'inside')
      return span.spanContext()
    })
    log.info('outside')

    const [inside, outside] = out.lines()
    expect(inside).toMatchObject({
      level: 'info',
      name: 'unit',
      component: 'test',
      jobId: 'j1',
      msg: 'inside',
      trace_id: ids.traceId,
      span_id: ids.spanId,
    })
    expect(outside?.trace_id).toBeUndefined()
  })

  it('honours the level', () => {
    const out = capture()
    const log = createLogger('unit', {}, { destination: out.stream, level: 'warn' })
    log.info('dropped')
    log.warn('kept')
    expect(out.lines().map((line) => line.msg)).toEqual(['kept'])
  })
})
