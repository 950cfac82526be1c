import { Limits } from '@taskforge/core'
import { TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import { TaskDefaults } from '@taskforge/protocol'
import { deciderSpec } from '@taskforge/testkit/decider-spec'
import { describe, it } from 'vitest'
import { SEALED_OVERHEAD } from '../secrets/secret-sealer.js'
import { type SecretEnvChange, type TaskDomainEvent, taskDecider } from './task-decider.js'

const spec = deciderSpec(taskDecider)
const taskId = '01900000-0000-7000-8000-0000000000aa'
const customer = 'acme'
/** Stand-ins for sealed values: the decider only keeps them, and counts their clear size. */
const sealedOf = (clearBytes: number, fill = 1) => Buffer.alloc(SEALED_OVERHEAD + clearBytes, fill)
const sealedSecret = sealedOf(64)
const otherSealedSecret = sealedOf(64, 2)
const noSecrets = new Map<string, SecretEnvChange>()

const definition: TaskDefinition = TaskDefinition.create({
  name: 'backup',
  hostId: 'bot-1',
  scriptId: 'script-1',
  tags: ['nightly'],
  taskArguments: [
    { order: 0, type: 'fixed', label: 'mode', value: 'full', required: false, options: [] },
    { order: 1, type: 'input', label: 'target', value: '', required: true, options: [] },
  ],
  runAs: 'bash %script%',
  acls: ['ops'],
  timeout: 120,
  multitasking: true,
  env: { A: '1' },
})
const created: TaskDomainEvent = {
  $case: 'created',
  value: { taskId, customer, definition, secret: '', sealedSecret },
}
const create = {
  type: 'createTask' as const,
  taskId,
  customer,
  definition,
  secretEnv: noSecrets,
  sealedSecret,
}
const update = (
  changes: Partial<TaskDefinition>,
  secretEnv: ReadonlyMap<string, SecretEnvChange> = noSecrets,
) => ({
  type: 'updateTask' as const,
  taskId,
  customer,
  changes,
  secretEnv,
})

describe('task decider', () => {
  describe('create', () => {
    it('records the definition and the secret', () => {
      spec([]).when(create).then([created])
    })
    it('defaults the timeout to 600 seconds and sorts arguments by order', () => {
      const [fixed, input] = definition.taskArguments
      spec([])
        .when({
          ...create,
          definition: { ...definition, name: ' backup ', timeout: 0, taskArguments: [input!, fixed!] },
        })
        .then([
          {
            $case: 'created',
            value: {
              taskId,
              customer,
              secret: '',
              sealedSecret,
              definition: { ...definition, timeout: 600 },
            },
          },
        ])
      spec([])
        .when({ ...create, definition: { ...definition, timeout: undefined } })
        .then([
          {
            $case: 'created',
            value: {
              taskId,
              customer,
              secret: '',
              sealedSecret,
              definition: { ...definition, timeout: TaskDefaults.timeoutSeconds },
            },
          },
        ])
    })
    it('refuses to create twice', () => {
      spec([created]).when(create).thenFails('CONFLICT')
    })

    const invalid: [string, Partial<TaskDefinition>, string][] = [
      ['a missing name', { name: '  ' }, 'name'],
      ['a missing host', { hostId: '' }, 'host_id'],
      ['a missing script', { scriptId: '' }, 'script_id'],
      ['a timeout over a day', { timeout: 86_401 }, 'timeout'],
      ['a fractional timeout', { timeout: 1.5 }, 'timeout'],
      ['a negative timeout', { timeout: -1 }, 'timeout'],
      ['a negative grace time', { graceTime: -5 }, 'grace_time'],
      ['a fractional grace time', { graceTime: 0.5 }, 'grace_time'],
      [
        'two arguments with one order',
        {
          taskArguments: [
            { order: 1, type: 'input', label: 'a', value: '', required: false, options: [] },
            { order: 1, type: 'input', label: 'b', value: '', required: false, options: [] },
          ],
        },
        'task_arguments',
      ],
      [
        'an unknown argument type',
        {
          taskArguments: [
            { order: 0, type: 'password', label: 'a', value: '', required: false, options: [] },
          ],
        },
        'task_arguments',
      ],
      [
        'a fixed argument without value',
        { taskArguments: [{ order: 0, type: 'fixed', label: 'a', value: '', required: false, options: [] }] },
        'task_arguments',
      ],
      ['a tag that is not a string', { tags: [7 as unknown as string] }, 'tags'],
      ['acls that are not a list', { acls: 'ops' as unknown as string[] }, 'acls'],
      [
        'a trigger on an unknown outcome',
        { triggers: [{ taskId: 't', event: 'done', webhookId: '' }] },
        'triggers',
      ],
      ['a trigger naming nothing', { triggers: [{ taskId: '', event: '', webhookId: '' }] }, 'triggers'],
    ]
    for (const [what, change, field] of invalid) {
      it(`refuses ${what} (field ${field})`, () => {
        spec([])
          .when({ ...create, definition: { ...definition, ...change } })
          .thenFails('VALIDATION_FAILED', { field })
      })
    }
    it('refuses a name over its limit in bytes, and an env over its limit', () => {
      spec([])
        .when({ ...create, definition: { ...definition, name: 'é'.repeat(101) } })
        .thenFails('LIMIT_EXCEEDED', { field: 'name', limit: 'task name size', actual: 202 })
      spec([])
        .when({ ...create, definition: { ...definition, env: { A: 'v'.repeat(Limits.envValue.value + 1) } } })
        .thenFails('LIMIT_EXCEEDED', { field: 'env.A', limit: 'env value size' })
    })
    it('refuses a task without a secret key', () => {
      spec([])
        .when({ ...create, sealedSecret: Buffer.alloc(0) })
        .thenFails('VALIDATION_FAILED', { field: 'secret' })
    })
  })

  describe('secret variables', () => {
    const password = sealedOf(8, 3)
    const withSecret: TaskDomainEvent = {
      $case: 'created',
      value: {
        taskId,
        customer,
        definition: { ...definition, secretEnv: { PASSWORD: password } },
        secret: '',
        sealedSecret,
      },
    }
    const set = (sealed: Buffer): SecretEnvChange => ({ kind: 'set', sealed })
    it('records the sealed values given at creation; a definition cannot smuggle its own', () => {
      spec([])
        .when({
          ...create,
          definition: { ...definition, secretEnv: { SMUGGLED: sealedOf(4) } },
          secretEnv: new Map([['PASSWORD', set(password)]]),
        })
        .then([withSecret])
    })
    it('keeps a value not named by an update, whether it replaces or patches', () => {
      spec([withSecret])
        .when(update({ ...definition, description: 'again' }))
        .then([
          {
            $case: 'updated',
            value: {
              definition: { ...definition, description: 'again', secretEnv: { PASSWORD: password } },
              changedFields: ['description'],
            },
          },
        ])
      spec([withSecret])
        .when(update({}, new Map([['PASSWORD', { kind: 'keep' }]])))
        .then([])
    })
    it('replaces and removes values, and says secret_env changed', () => {
      const token = sealedOf(20, 4)
      spec([withSecret])
        .when(
          update(
            {},
            new Map<string, SecretEnvChange>([
              ['PASSWORD', { kind: 'remove' }],
              ['TOKEN', set(token)],
            ]),
          ),
        )
        .then([
          {
            $case: 'updated',
            value: {
              definition: { ...definition, secretEnv: { TOKEN: token } },
              changedFields: ['secret_env'],
            },
          },
        ])
    })
    it('refuses to keep a value it does not hold, and a name both plain and secret', () => {
      spec([created])
        .when(update({}, new Map([['PASSWORD', { kind: 'keep' }]])))
        .thenFails('VALIDATION_FAILED', { field: 'secret_env' })
      spec([withSecret])
        .when(update({ env: { PASSWORD: 'plain' } }))
        .thenFails('VALIDATION_FAILED', { field: 'secret_env' })
    })
    it('counts secret values in clear with the env against the env limits', () => {
      const half = 'v'.repeat(Limits.env.value / 2)
      spec([])
        .when({
          ...create,
          definition: { ...definition, env: { A: half } },
          secretEnv: new Map([['B', set(sealedOf(Limits.env.value / 2))]]),
        })
        .thenFails('LIMIT_EXCEEDED', { field: 'env', limit: 'env total size' })
      spec([])
        .when({ ...create, secretEnv: new Map([['B', set(sealedOf(Limits.envValue.value + 1))]]) })
        .thenFails('LIMIT_EXCEEDED', { field: 'secret_env.B', limit: 'env value size' })
    })
  })

  describe('update', () => {
    it('records the whole new definition and the API names of the changed fields', () => {
      const taskArguments = [{ order: 0, type: 'input', label: 'x', value: '', required: false, options: [] }]
      spec([created])
        .when(update({ timeout: 30, taskArguments, env: { A: '1' } }))
        .then([
          {
            $case: 'updated',
            value: {
              definition: { ...definition, timeout: 30, taskArguments },
              changedFields: ['task_arguments', 'timeout'],
            },
          },
        ])
    })
    it('applies only the given fields', () => {
      spec([created])
        .when(update({ name: 'restore', hostId: undefined }))
        .then([
          {
            $case: 'updated',
            value: { definition: { ...definition, name: 'restore' }, changedFields: ['name'] },
          },
        ])
    })
    it('records nothing when nothing changed', () => {
      spec([created])
        .when(update({ name: 'backup', env: { A: '1' }, tags: ['nightly'] }))
        .then([])
    })
    it('validates the resulting definition', () => {
      spec([created])
        .when(update({ timeout: 100_000 }))
        .thenFails('VALIDATION_FAILED', { field: 'timeout' })
    })
    it('holds the resulting definition to the total limit, though the change alone is under it', () => {
      const half = 'v'.repeat(Limits.envValue.value - 1)
      const env = Object.fromEntries(['A', 'B'].map((name) => [name, half]))
      const full: TaskDefinition = { ...definition, env: {}, taskArguments: [] }
      const fixed = (order: number) => ({
        order,
        type: 'fixed',
        label: '',
        value: half,
        required: false,
        options: [],
      })
      const withArguments = { ...full, taskArguments: [0, 1, 2, 3, 4, 5].map(fixed) }
      spec([
        {
          $case: 'created',
          value: { taskId, customer, definition: withArguments, secret: '', sealedSecret },
        },
      ])
        .when(update({ env }))
        .thenFails('LIMIT_EXCEEDED', { field: 'task', limit: 'task definition total size' })
    })
    it('answers NOT_FOUND for another customer', () => {
      spec([created])
        .when({ ...update({ name: 'x' }), customer: 'other' })
        .thenFails('NOT_FOUND')
    })
    it('answers NOT_FOUND for a deleted task', () => {
      spec([created, { $case: 'deleted', value: {} }])
        .when(update({ name: 'x' }))
        .thenFails('NOT_FOUND')
    })
    it('sees earlier updates', () => {
      const renamed: TaskDomainEvent = {
        $case: 'updated',
        value: { definition: { ...definition, name: 'restore' }, changedFields: ['name'] },
      }
      spec([created, renamed])
        .when(update({ name: 'restore' }))
        .then([])
    })
  })

  describe('delete', () => {
    const remove = { type: 'deleteTask' as const, taskId, customer }
    it('records the deletion', () => {
      spec([created])
        .when(remove)
        .then([{ $case: 'deleted', value: {} }])
    })
    it('answers NOT_FOUND for a missing task', () => {
      spec([]).when(remove).thenFails('NOT_FOUND')
    })
    it('answers NOT_FOUND for another customer', () => {
      spec([created])
        .when({ ...remove, customer: 'other' })
        .thenFails('NOT_FOUND')
    })
  })

  describe('rotate secret', () => {
    const rotate = { type: 'rotateTaskSecret' as const, taskId, customer, sealedSecret: otherSealedSecret }
    it('records the new secret, sealed', () => {
      spec([created])
        .when(rotate)
        .then([{ $case: 'secretRotated', value: { secret: '', sealedSecret: otherSealedSecret } }])
    })
    it('answers NOT_FOUND for a deleted task', () => {
      spec([created, { $case: 'deleted', value: {} }])
        .when(rotate)
        .thenFails('NOT_FOUND')
    })
  })
})
