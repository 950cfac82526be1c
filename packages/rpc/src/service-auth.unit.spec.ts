import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGrpcAuth, formatGrpcAuth, GrpcStatus, newServiceCredential } from '@taskforge/core'
import { afterAll, describe, expect, it } from 'vitest'
import { checkCaller, presentCredential, readGrpcAuth } from './service-auth.js'

const platform = createGrpcAuth(['gateway', 'task-catalog', 'job-scheduler', 'webhook-relay'])
const catalog = platform['task-catalog']!
const callers = ['gateway', 'job-scheduler']
const present = (service: string) => presentCredential(platform[service]!.credential)

describe('checkCaller', () => {
  it('lets through a service the server takes calls from, presenting its own credential', () => {
    expect(checkCaller(catalog, callers, present('gateway'))).toEqual({ ok: true, caller: 'gateway' })
    expect(checkCaller(catalog, callers, present('job-scheduler'))).toEqual({
      ok: true,
      caller: 'job-scheduler',
    })
  })

  it('refuses UNAUTHENTICATED what is no credential of the platform', () => {
    const forged = newServiceCredential('gateway')
    const cases = [
      undefined,
      '',
      platform.gateway!.credential,
      `Basic ${platform.gateway!.credential}`,
      `Bearer ${platform.gateway!.credential} extra`,
      presentCredential(forged),
      presentCredential(`unknown-service.${'a'.repeat(43)}`),
    ]
    for (const presented of cases) {
      const check = checkCaller(catalog, callers, presented)
      expect(check.ok, String(presented)).toBe(false)
      if (!check.ok) {
        expect(check.error.code).toBe('SERVICE_UNAUTHENTICATED')
        expect(check.error.grpcStatus).toBe(GrpcStatus.UNAUTHENTICATED)
        expect(check.error.message).not.toContain(forged)
      }
    }
  })

  it('refuses PERMISSION_DENIED a genuine service the server takes no calls from', () => {
    const check = checkCaller(catalog, callers, present('webhook-relay'))
    expect(check).toMatchObject({ ok: false, caller: 'webhook-relay' })
    if (!check.ok) {
      expect(check.error.code).toBe('SERVICE_FORBIDDEN')
      expect(check.error.grpcStatus).toBe(GrpcStatus.PERMISSION_DENIED)
      expect(check.error.message).toBe('task-catalog takes no calls from webhook-relay')
    }
  })

  it("refuses a service presenting the server's own credential when the server does not call itself", () => {
    expect(checkCaller(catalog, callers, present('task-catalog')).ok).toBe(false)
  })
})

describe('readGrpcAuth', () => {
  const dir = mkdtempSync(join(tmpdir(), 'grpc-auth-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it("reads the service's own identity and refuses another service's, or a missing file", () => {
    const file = join(dir, 'task-catalog.json')
    writeFileSync(file, formatGrpcAuth(catalog))
    expect(readGrpcAuth(file, 'task-catalog')).toEqual(catalog)
    expect(() => readGrpcAuth(file, 'gateway')).toThrow(/identity of task-catalog, not of gateway/)
    expect(() => readGrpcAuth(join(dir, 'missing.json'), 'gateway')).toThrow(/cannot be read/)
  })
})
