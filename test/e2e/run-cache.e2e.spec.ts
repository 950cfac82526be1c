import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectStatus, idOf, issueToken } from './support/fixtures.js'
import type { GatewayCall } from './support/gateway-client.js'
import { type InProcessPlatform, startInProcessPlatform } from './support/in-process-platform.js'

const ROUNDS = 4

// job-scheduler keeps what a run reads of a task for a few seconds (decision 33): every change made
// through task-catalog must reach the next run at once. Each round runs first, so that the task is
// kept when the change comes, then changes it and runs again.
describe('a run reads its task as last written', () => {
  let platform: InProcessPlatform
  let call: GatewayCall
  let customer: string
  let admin: string
  let scriptId: string
  let taskId: string

  const run = (status: number, token: string | undefined = admin, path = `task/${taskId}/job`) =>
    expectStatus(call, status, 'POST', `/${customer}/${path}?wait_result=true`, {
      ...(token === undefined ? {} : { token }),
    })

  beforeAll(async () => {
    platform = await startInProcessPlatform()
    call = platform.call
    customer = platform.customer
    admin = platform.adminToken
    scriptId = idOf(
      await expectStatus(call, 201, 'POST', `/${customer}/script`, {
        token: admin,
        json: { filename: 'version.sh', content: '#!/bin/sh\necho v0\n' },
      }),
    )
    taskId = idOf(
      await expectStatus(call, 201, 'POST', `/${customer}/task`, {
        token: admin,
        json: { name: 'versions', host_id: platform.botId, script_id: scriptId, acls: ['team:ops'] },
      }),
    )
  }, 180_000)

  afterAll(async () => {
    await platform?.stop()
  })

  it('runs the script as last saved', async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      await run(200)
      await expectStatus(call, 200, 'PATCH', `/${customer}/script/${scriptId}`, {
        token: admin,
        json: { content: `#!/bin/sh\necho v${round}\n` },
      })
      expect((await run(200)).body).toMatchObject({ state: 'success', output: [`v${round}`] })
    }
  })

  it('runs with the arguments and environment as last saved', async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      await run(200)
      await expectStatus(call, 200, 'PATCH', `/${customer}/task/${taskId}`, {
        token: admin,
        json: { env: { ROUND: String(round) } },
      })
      await expectStatus(call, 200, 'PATCH', `/${customer}/script/${scriptId}`, {
        token: admin,
        json: { content: '#!/bin/sh\necho "round $ROUND"\n' },
      })
      expect((await run(200)).body).toMatchObject({ output: [`round ${round}`] })
    }
  })

  it('refuses a caller at once when the acls stop showing the task, and lets it again at once', async () => {
    const user = await issueToken(call, customer, admin, {
      name: 'cache-user',
      role: 'user',
      tags: ['team:ops'],
    })
    for (let round = 0; round < ROUNDS; round++) {
      await run(200, user.token)
      await expectStatus(call, 200, 'PATCH', `/${customer}/task/${taskId}`, {
        token: admin,
        json: { acls: ['team:nobody'] },
      })
      await run(404, user.token)
      await expectStatus(call, 200, 'PATCH', `/${customer}/task/${taskId}`, {
        token: admin,
        json: { acls: ['team:ops'] },
      })
      await run(200, user.token)
    }
  })

  it('refuses a rotated secret key at once, and runs with the new one', async () => {
    let secret = String(
      (await expectStatus(call, 200, 'GET', `/${customer}/task/${taskId}/credentials`, { token: admin })).body
        .secret,
    )
    for (let round = 0; round < ROUNDS; round++) {
      await run(200, undefined, `task/${taskId}/secret/${secret}/job`)
      const rotated = await expectStatus(
        call,
        200,
        'POST',
        `/${customer}/task/${taskId}/credentials/rotate`,
        {
          token: admin,
        },
      )
      await run(401, undefined, `task/${taskId}/secret/${secret}/job`)
      secret = String(rotated.body.secret)
      await run(200, undefined, `task/${taskId}/secret/${secret}/job`)
    }
  })

  it('does not run a deleted task', async () => {
    await run(200)
    await expectStatus(call, 204, 'DELETE', `/${customer}/task/${taskId}`, { token: admin })
    await run(404)
  })
})
