import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultWorkDir, parseBotOptions, UsageError } from './cli-options.js'

describe('parseBotOptions', () => {
  it('has defaults for everything but the credentials', () => {
    expect(parseBotOptions(['--credentials', 'bot.json'])).toEqual({
      credentialsFile: 'bot.json',
      concurrency: 4,
      killGraceMs: 5000,
      shutdownTimeoutMs: 30_000,
      outputLimitBytes: 1024 * 1024,
      heartbeatIntervalMs: 5000,
    })
  })

  it('reads every option', () => {
    expect(
      parseBotOptions([
        '--credentials=bot.json',
        '--concurrency',
        '2',
        '--work-dir',
        '/w',
        '--kill-grace',
        '250ms',
        '--shutdown-timeout',
        '1m',
        '--output-limit',
        '0',
        '--heartbeat-interval',
        '1s',
      ]),
    ).toEqual({
      credentialsFile: 'bot.json',
      concurrency: 2,
      workDir: '/w',
      killGraceMs: 250,
      shutdownTimeoutMs: 60_000,
      outputLimitBytes: 0,
      heartbeatIntervalMs: 1000,
    })
  })

  it('rejects what it does not understand', () => {
    expect(() => parseBotOptions([])).toThrow(UsageError)
    expect(() => parseBotOptions(['--credentials', 'x', '--concurrency', '0'])).toThrow(/positive integer/)
    expect(() => parseBotOptions(['--credentials', 'x', '--kill-grace', 'soon'])).toThrow(/duration/)
    expect(() => parseBotOptions(['--credentials', 'x', '--heartbeat-interval', '10ms'])).toThrow(/100ms/)
    expect(() => parseBotOptions(['--credentials', 'x', '--nope'])).toThrow(UsageError)
    expect(() => parseBotOptions(['--credentials', 'x', 'extra'])).toThrow(UsageError)
  })
})

describe('defaultWorkDir', () => {
  it('is per bot under the temporary directory', () => {
    expect(defaultWorkDir('b/1')).toBe(join(tmpdir(), 'taskforge-bot-b_1'))
  })
})
