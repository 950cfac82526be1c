import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectStatus, idOf, issueToken } from './support/fixtures.js'
import type { GatewayCall } from './support/gateway-client.js'
import { type InProcessPlatform, startInProcessPlatform } from './support/in-process-platform.js'

const ROUNDS = 15

// Two gateway replicas keep each organization's tasks in memory (decision 33): a write through one,
// or made by task-catalog itself, must show at once through the other, whose list was read just
// before. Every read below first fills the reading replica's cache, so a missed change would show.
describe('task reads across two gateway replicas', () => {
  let platform: InProcessPlatform
  let a: GatewayCall
  let b: GatewayCall
  let customer: string
  let admin: string
  let botId: string
  let scriptId: string

  const list = async (call: GatewayCall, token = admin, query = '') =>
    (
      (await expectStatus(call, 200, 'GET', `/${customer}/task${query}`, { token })).json as { id: string }[]
    ).map((task) => task.id)
  const read = (call: GatewayCall, taskId: string, status = 200, token = admin) =>
    expectStatus(call, status, 'GET', `/${customer}/task/${taskId}`, { token })

  beforeAll(async () => {
    platform = await startInProcessPlatform()
    a = platform.call
    b = (await platform.addGatewayReplica()).call
    customer = platform.customer
    admin = platform.adminToken
    botId = platform.botId
    scriptId = idOf(
      await expectStatus(a, 201, 'POST', `/${customer}/script`, {
        token: admin,
        json: { filename: 'cache.sh', content: '#!/bin/sh\necho cached\n' },
      }),
    )
  }, 180_000)

  afterAll(async () => {
    await platform?.stop()
  })

  it('shows every create, update, rotation and delete made through one replica at once through the other', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await list(b)
      const taskId = idOf(
        await expectStatus(a, 201, 'POST', `/${customer}/task`, {
          token: admin,
          json: { name: `round ${round}`, host_id: botId, script_id: scriptId, tags: [`r${round}`] },
        }),
      )
      expect(await list(b)).toContain(taskId)
      expect(await list(b, admin, `?tag=r${round}`)).toEqual([taskId])

      await read(b, taskId)
      const patched = await expectStatus(a, 200, 'PATCH', `/${customer}/task/${taskId}`, {
        token: admin,
        json: { description: `changed ${round}` },
      })
      const seen = await read(b, taskId)
      expect(seen.body.description).toBe(`changed ${round}`)
      expect(seen.headers.get('etag')).toBe(patched.headers.get('etag'))

      await expectStatus(a, 200, 'POST', `/${customer}/task/${taskId}/credentials/rotate`, { token: admin })
      expect(Number((await read(b, taskId)).body.version)).toBe(Number(seen.body.version) + 1)

      await expectStatus(a, 204, 'DELETE', `/${customer}/task/${taskId}`, { token: admin })
      await read(b, taskId, 404)
      expect(await list(b)).not.toContain(taskId)
    }
  })

  it('shows a task imported from a recipe through one replica at once through the other', async () => {
    const source = idOf(
      await expectStatus(a, 201, 'POST', `/${customer}/task`, {
        token: admin,
        json: { name: 'portable', host_id: botId, script_id: scriptId },
      }),
    )
    const recipe = await expectStatus(a, 200, 'GET', `/${customer}/task/${source}/recipe`, { token: admin })
    for (let round = 0; round < 5; round++) {
      await list(b)
      const imported = idOf(
        await expectStatus(a, 201, 'POST', `/${customer}/task/import`, {
          token: admin,
          json: { ...recipe.body, host_id: botId },
        }),
      )
      expect(await list(b)).toContain(imported)
    }
  })

  it('shows an acl change through the other replica at once, to the caller it hides the task from', async () => {
    const viewer = await issueToken(a, customer, admin, {
      name: 'cache-viewer',
      role: 'viewer',
      tags: ['ops'],
    })
    const taskId = idOf(
      await expectStatus(a, 201, 'POST', `/${customer}/task`, {
        token: admin,
        json: { name: 'guarded', host_id: botId, script_id: scriptId, acls: ['team:ops'] },
      }),
    )
    for (let round = 0; round < ROUNDS; round++) {
      const shown = round % 2 === 0
      await read(b, taskId, shown ? 404 : 200, viewer.token)
      await expectStatus(a, 200, 'PATCH', `/${customer}/task/${taskId}`, {
        token: admin,
        json: { acls: shown ? ['ops'] : ['team:ops'] },
      })
      await read(b, taskId, shown ? 200 : 404, viewer.token)
      expect((await list(b, viewer.token)).includes(taskId)).toBe(shown)
    }
  })

  it('shows a task written by task-catalog without a gateway, through both replicas', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all([list(a), list(b)])
      const { taskId } = await platform.catalog.commands.createTask(
        { customer, author: 'test' },
        { name: `direct ${round}`, hostId: botId, scriptId },
      )
      expect(await list(a)).toContain(taskId)
      expect(await list(b)).toContain(taskId)
      await platform.catalog.commands.updateTask({ customer, author: 'test' }, taskId, {
        name: `renamed ${round}`,
      })
      expect((await read(a, taskId)).body.name).toBe(`renamed ${round}`)
      expect((await read(b, taskId)).body.name).toBe(`renamed ${round}`)
    }
  })
})
