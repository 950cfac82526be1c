import { describe, expect, it } from 'vitest'
import { isAppError } from './errors.js'
import {
  byteSize,
  checkEnv,
  checkScript,
  checkSize,
  checkSubscription,
  checkTaskArguments,
  checkTaskDefinition,
  LIMIT_TABLE,
  Limits,
  limitExceeded,
  type TaskDefinitionInput,
} from './limits.js'

/** What a check throws, or undefined when it passes. */
function thrown(fn: () => unknown): { status: number; code: string; message: string } | undefined {
  try {
    fn()
    return undefined
  } catch (error) {
    if (!isAppError(error)) throw error
    return { status: error.httpStatus, code: error.code, message: error.message }
  }
}

const definition = (overrides: Partial<TaskDefinitionInput> = {}): TaskDefinitionInput => ({
  name: 'deploy',
  hostId: '0190c1d2-0000-7000-8000-000000000001',
  scriptId: '0190c1d2-0000-7000-8000-000000000002',
  tags: [],
  taskArguments: [],
  runAs: '',
  description: '',
  acls: [],
  triggers: [],
  env: {},
  ...overrides,
})

describe('limits', () => {
  it('names every limit once, with a positive value and a one-line meaning', () => {
    const names = LIMIT_TABLE.map((limit) => limit.name)
    expect(new Set(names).size).toBe(names.length)
    for (const limit of LIMIT_TABLE) {
      expect(limit.value, limit.key).toBeGreaterThan(0)
      expect(limit.meaning, limit.key).not.toMatch(/\n/)
    }
  })

  it('says which field, how large, the limit and its name', () => {
    const error = limitExceeded(Limits.taskArgument, 'task_arguments[2]', 70_000)
    expect(error.httpStatus).toBe(422)
    expect(error.code).toBe('LIMIT_EXCEEDED')
    expect(error.message).toBe(
      'task_arguments[2] is 70000 bytes; the limit is 65536 bytes (task argument size)',
    )
    expect(error.details).toEqual({
      field: 'task_arguments[2]',
      limit: 'task argument size',
      maximum: 65_536,
      unit: 'bytes',
      actual: 70_000,
    })
    expect(limitExceeded(Limits.webhookPayload, 'payload').httpStatus).toBe(413)
    expect(limitExceeded(Limits.taskTagCount, 'tags', 101).message).toBe(
      'tags has 101 items; the limit is 100 items (tag count)',
    )
  })

  it('counts UTF-8 bytes, not UTF-16 code units', () => {
    expect(byteSize('a')).toBe(1)
    expect(byteSize('é')).toBe(2)
    expect(byteSize('€')).toBe(3)
    expect(byteSize('😀')).toBe(4)
    // A lone surrogate travels as U+FFFD.
    expect(byteSize('\ud800')).toBe(3)
    expect(byteSize(new Uint8Array(7))).toBe(7)
  })

  describe('one argument value', () => {
    const limit = Limits.taskArgument.value
    it('takes N bytes and refuses N + 1', () => {
      expect(thrown(() => checkTaskArguments(['a'.repeat(limit)]))).toBeUndefined()
      expect(thrown(() => checkTaskArguments(['x', 'a'.repeat(limit + 1)]))).toEqual({
        status: 422,
        code: 'LIMIT_EXCEEDED',
        message: `task_arguments[1] is ${limit + 1} bytes; the limit is ${limit} bytes (task argument size)`,
      })
    })

    it('counts multibyte characters by their bytes', () => {
      // 4-byte characters: N / 4 of them are exactly N bytes, though JS counts 2 units each.
      const emoji = '😀'.repeat(limit / 4)
      expect(thrown(() => checkTaskArguments([emoji]))).toBeUndefined()
      expect(thrown(() => checkTaskArguments([`${emoji}a`]))?.message).toMatch(/is 65537 bytes/)
      // Fewer characters than bytes: 3-byte characters past the limit in bytes, under it in length.
      const euros = '€'.repeat(limit / 3 + 1)
      expect(euros.length).toBeLessThan(limit)
      expect(thrown(() => checkTaskArguments([euros]))?.status).toBe(422)
    })
  })

  describe('the values of a run together', () => {
    const each = Limits.taskArgument.value
    const total = Limits.taskArguments.value
    it('takes N bytes and refuses N + 1', () => {
      const full = Array.from({ length: total / each }, () => 'a'.repeat(each))
      expect(thrown(() => checkTaskArguments(full))).toBeUndefined()
      expect(thrown(() => checkTaskArguments([...full, 'a']))?.message).toBe(
        `task_arguments is ${total + 1} bytes; the limit is ${total} bytes (task arguments total size)`,
      )
    })

    it('takes N values and refuses N + 1', () => {
      const count = Limits.taskArgumentCount.value
      expect(thrown(() => checkTaskArguments(Array(count).fill('')))).toBeUndefined()
      expect(thrown(() => checkTaskArguments(Array(count + 1).fill('')))?.message).toBe(
        `task_arguments has ${count + 1} items; the limit is ${count} items (task argument count)`,
      )
    })

    it('names the field it is given', () => {
      expect(thrown(() => checkTaskArguments(['a'.repeat(each + 1)], 'argv'))?.message).toMatch(
        /^argv\[0\] is/,
      )
    })
  })

  describe('env', () => {
    it('bounds the count, each name, each value and the whole', () => {
      const many = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`V${i}`, '']))
      expect(thrown(() => checkEnv(many))?.message).toBe(
        'env has 201 entries; the limit is 200 entries (env entry count)',
      )
      expect(thrown(() => checkEnv({ ['N'.repeat(257)]: '' }))?.message).toMatch(
        /^env name "N{40}" is 257 bytes/,
      )
      expect(thrown(() => checkEnv({ A: 'é'.repeat(32 * 1024) }))).toBeUndefined()
      expect(thrown(() => checkEnv({ A: `${'é'.repeat(32 * 1024)}a` }))?.message).toMatch(
        /^env\.A is 65537 bytes; the limit is 65536 bytes \(env value size\)$/,
      )
      const half = 'v'.repeat(64 * 1024 - 1)
      expect(thrown(() => checkEnv({ A: half, B: half }))).toBeUndefined()
      expect(thrown(() => checkEnv({ A: half, B: half, C: '' }))?.message).toBe(
        'env is 131073 bytes; the limit is 131072 bytes (env total size)',
      )
    })

    it('counts secret variables, by their size in clear, with the others', () => {
      const half = 'v'.repeat(64 * 1024 - 1)
      expect(thrown(() => checkEnv({ A: half }, 'env', { B: half.length }))).toBeUndefined()
      expect(thrown(() => checkEnv({ A: half }, 'env', { B: half.length, C: 1 }))?.message).toMatch(
        /\(env total size\)$/,
      )
      expect(thrown(() => checkEnv({}, 'env', { B: 64 * 1024 + 1 }))?.message).toBe(
        'secret_env.B is 65537 bytes; the limit is 65536 bytes (env value size)',
      )
      const many = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`S${i}`, 1]))
      expect(thrown(() => checkEnv({ A: '' }, 'env', many))?.message).toMatch(/\(env entry count\)$/)
    })
  })

  describe('a task definition', () => {
    it('takes a definition at every field limit, refuses one byte more in any', () => {
      expect(thrown(() => checkTaskDefinition(definition({ name: 'n'.repeat(200) })))).toBeUndefined()
      expect(thrown(() => checkTaskDefinition(definition({ name: 'n'.repeat(201) })))?.message).toBe(
        'name is 201 bytes; the limit is 200 bytes (task name size)',
      )
      expect(
        thrown(() => checkTaskDefinition(definition({ description: 'ü'.repeat(8 * 1024 + 1) })))?.message,
      ).toMatch(/^description is 16386 bytes/)
      expect(
        thrown(() =>
          checkTaskDefinition(
            definition({
              taskArguments: [{ type: 'select', label: 'x', value: '', options: ['a', 'b'.repeat(65_537)] }],
            }),
          ),
        )?.message,
      ).toMatch(/^task_arguments\[0\]\.options\[1\] is 65537 bytes/)
      expect(
        thrown(() =>
          checkTaskDefinition(
            definition({ triggers: [{ taskId: 'i'.repeat(101), event: 'success', webhookId: '' }] }),
          ),
        )?.message,
      ).toMatch(/^triggers\[0\]\.task_id is 101 bytes; the limit is 100 bytes \(id size\)$/)
      expect(
        thrown(() => checkTaskDefinition(definition({ acls: Array(201).fill('admin') })))?.message,
      ).toMatch(/^acls has 201 items/)
    })

    it('bounds the definition as a whole', () => {
      const value = 'v'.repeat(Limits.taskArgument.value)
      const argument = { type: 'fixed', label: '', value, options: [] }
      // 8 fixed values of 64 KiB are 512 KiB: one byte of name more is over the whole.
      const full = definition({ name: '', hostId: '', scriptId: '', taskArguments: Array(8).fill(argument) })
      expect(
        thrown(() => checkTaskDefinition({ ...full, taskArguments: [...full.taskArguments.slice(1)] })),
      ).toBeUndefined()
      const fixedTypes = 8 * byteSize('fixed')
      expect(thrown(() => checkTaskDefinition(full))?.message).toBe(
        `task is ${512 * 1024 + fixedTypes} bytes; the limit is 524288 bytes (task definition total size)`,
      )
    })
  })

  it('checks the fields of a script and of a subscription that are given', () => {
    const content = new Uint8Array(Limits.scriptContent.value)
    expect(thrown(() => checkScript({ content }))).toBeUndefined()
    expect(thrown(() => checkScript({ content: new Uint8Array(content.length + 1) }))?.message).toBe(
      'content is 262145 bytes; the limit is 262144 bytes (script size)',
    )
    expect(thrown(() => checkScript({ filename: 'ß'.repeat(128) }))?.message).toMatch(
      /^filename is 256 bytes/,
    )
    expect(thrown(() => checkScript({}))).toBeUndefined()
    expect(
      thrown(() => checkSubscription({ url: `https://example.com/${'p'.repeat(2028)}` })),
    ).toBeUndefined()
    expect(
      thrown(() => checkSubscription({ url: `https://example.com/${'p'.repeat(2029)}` }))?.message,
    ).toMatch(/^url is 2049 bytes/)
    expect(thrown(() => checkSubscription({ events: Array(51).fill('*') }))?.message).toMatch(
      /^events has 51 items/,
    )
  })

  it('answers the size it measured', () => {
    expect(checkSize(Limits.taskName, 'name', 'né')).toBe(3)
  })
})
