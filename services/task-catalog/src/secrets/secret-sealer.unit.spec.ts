import { describe, expect, it } from 'vitest'
import { clearSize, SEALED_OVERHEAD, type SealContext, SecretSealer } from './secret-sealer.js'

const taskId = '01900000-0000-7000-8000-0000000000aa'
const env = (name: string, customer = 'acme'): SealContext => ({ purpose: 'env', customer, taskId, name })

function failure(attempt: () => unknown): string | undefined {
  try {
    attempt()
  } catch (error) {
    return (error as { code?: string }).code
  }
  return undefined
}

describe('secret sealer', () => {
  const key = SecretSealer.newKey()
  const sealer = SecretSealer.fromKeys([key])

  it('opens what it sealed, and a sealed value says its clear size', () => {
    const sealed = sealer.seal('hunter2 é', env('DB_PASSWORD'))
    expect(sealer.open(sealed, env('DB_PASSWORD'))).toBe('hunter2 é')
    expect(clearSize(sealed)).toBe(Buffer.byteLength('hunter2 é'))
    expect(sealed.length).toBe(Buffer.byteLength('hunter2 é') + SEALED_OVERHEAD)
    expect(sealed.includes(Buffer.from('hunter2'))).toBe(false)
  })

  it('seals the same value differently each time', () => {
    expect(sealer.seal('same', env('A')).equals(sealer.seal('same', env('A')))).toBe(false)
  })

  it('does not open for another organization, task, name or purpose', () => {
    const sealed = sealer.seal('hunter2', env('DB_PASSWORD'))
    expect(failure(() => sealer.open(sealed, env('DB_PASSWORD', 'globex')))).toBe('FORBIDDEN')
    expect(failure(() => sealer.open(sealed, env('OTHER')))).toBe('FORBIDDEN')
    const otherTask = {
      purpose: 'env' as const,
      customer: 'acme',
      taskId: `${taskId.slice(0, -1)}b`,
      name: 'DB_PASSWORD',
    }
    expect(failure(() => sealer.open(sealed, otherTask))).toBe('FORBIDDEN')
    expect(failure(() => sealer.open(sealed, { purpose: 'task-secret', customer: 'acme', taskId }))).toBe(
      'FORBIDDEN',
    )
  })

  it('does not open an altered value, nor one sealed under a key it does not hold', () => {
    const sealed = sealer.seal('hunter2', env('A'))
    const altered = Buffer.from(sealed)
    altered[SEALED_OVERHEAD - 10] = altered[SEALED_OVERHEAD - 10]! ^ 1
    expect(failure(() => sealer.open(altered, env('A')))).toBe('FORBIDDEN')
    expect(failure(() => SecretSealer.fromKeys([SecretSealer.newKey()]).open(sealed, env('A')))).toBe(
      'FORBIDDEN',
    )
    expect(failure(() => sealer.open(Buffer.from('hunter2'), env('A')))).toBe('FORBIDDEN')
  })

  it('rotates keys: the first seals, every key opens', () => {
    const old = sealer.seal('before', env('A'))
    const rotated = SecretSealer.fromKeys([SecretSealer.newKey(), key])
    expect(rotated.open(old, env('A'))).toBe('before')
    const fresh = rotated.seal('after', env('A'))
    expect(failure(() => sealer.open(fresh, env('A')))).toBe('FORBIDDEN')
  })

  it('takes keys of 32 bytes as hex or base64 and refuses others', () => {
    expect(() => SecretSealer.fromKeys(['ab'.repeat(32)])).not.toThrow()
    expect(() => SecretSealer.fromKeys(['short'])).toThrow(/32 bytes/)
    expect(() => SecretSealer.fromKeys([])).toThrow(/at least one key/)
  })
})
