import { afterEach, describe, expect, it, vi } from 'vitest'
import { signalGroup } from './process-group.mjs'

const failing = (code: string) => () => {
  throw Object.assign(new Error(code), { code })
}

describe('signalGroup', () => {
  afterEach(() => vi.restoreAllMocks())

  it('signals the whole group of a leader', () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true)
    expect(signalGroup(4242, 'SIGTERM')).toBe(true)
    expect(kill).toHaveBeenCalledWith(-4242, 'SIGTERM')
  })

  it('answers false for a group that is gone, or whose processes are not the bot\u2019s to signal', () => {
    vi.spyOn(process, 'kill').mockImplementation(failing('ESRCH'))
    expect(signalGroup(4242, 'SIGKILL')).toBe(false)
    vi.spyOn(process, 'kill').mockImplementation(failing('EPERM'))
    expect(signalGroup(4242, 'SIGKILL')).toBe(false)
  })

  it('throws what no script can cause', () => {
    vi.spyOn(process, 'kill').mockImplementation(failing('EINVAL'))
    expect(() => signalGroup(4242, 'SIGKILL')).toThrow('EINVAL')
  })
})
