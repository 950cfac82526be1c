import { createLogger } from '@taskforge/telemetry'
import { describe, expect, it } from 'vitest'
import { startService } from './start-service.js'

const logger = createLogger('runtime-test', {}, { level: 'silent' })
const embedded = { logger, handleProcessEvents: false, telemetry: false } as const
const health = { healthPort: 0, healthHost: '127.0.0.1' }

describe('startService', () => {
  it('answers what start answered with the health port, and stops the resources in reverse order', async () => {
    const stopped: string[] = []
    const service = await startService('composed', health, embedded, async (ctx) => {
      for (const name of ['db', 'bus', 'server']) ctx.onStop(async () => void stopped.push(name))
      ctx.addReadiness('db', () => true)
      return { grpcPort: 1234 }
    })
    expect(service.grpcPort).toBe(1234)
    const ready = await fetch(`http://127.0.0.1:${service.healthPort}/readyz`)
    expect(ready.status).toBe(200)
    await service.stop()
    expect(stopped).toEqual(['server', 'bus', 'db'])
  })

  it('stops what a start that fails half-way opened, and rethrows', async () => {
    const stopped: string[] = []
    await expect(
      startService('half-way', health, embedded, async (ctx) => {
        ctx.onStop(async () => void stopped.push('db'))
        throw new Error('bus unreachable')
      }),
    ).rejects.toThrow('bus unreachable')
    expect(stopped).toEqual(['db'])
  })
})
