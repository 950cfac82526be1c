import { createHash } from 'node:crypto'
import { LIMIT_TABLE, Limits } from '@taskforge/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectStatus, idOf, jobEnded } from './support/fixtures.js'
import { type InProcessPlatform, startInProcessPlatform } from './support/in-process-platform.js'
import {
  expectLimitHeld,
  type LimitAnswer,
  type LimitFixture,
  type LimitRequest,
  limitFixture,
  limitSender,
  textOfBytes,
} from './support/limit-inputs.js'

/** Reports its arguments: how many, then each one's size in bytes and SHA-256. */
const REPORTER = `#!/bin/sh
echo "$#"
for a in "$@"; do
  printf '%s' "$a" | wc -c
  printf '%s' "$a" | sha256sum | cut -c1-64
done
`

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex')
/** The output the reporter prints for `values`. */
const reported = (values: string[]) => [
  String(values.length),
  ...values.flatMap((value) => [String(Buffer.byteLength(value)), sha256(value)]),
]

// Every limit of core's table through the real gateway, services, Postgres, NATS and a bot: an input
// of exactly the limit is accepted (and a run at the limits finishes on the bot with its arguments
// whole), one more byte or item is refused with the limit's status and a message naming it.
describe('input limits, end to end', () => {
  let platform: InProcessPlatform
  let fixture: LimitFixture
  let send: (request: LimitRequest) => Promise<LimitAnswer>

  beforeAll(async () => {
    platform = await startInProcessPlatform()
    const { call, customer, adminToken, rootToken, botId } = platform
    fixture = await limitFixture(call, { customer, adminToken, rootToken, botId }, REPORTER)
    send = limitSender(platform.gatewayUrl, call)
  }, 180_000)

  afterAll(async () => {
    await platform?.stop()
  })

  it('runs an argument of exactly the limit on a real bot, whole; refuses one byte more, naming the limit', async () => {
    const { call, customer, adminToken } = platform
    const value = textOfBytes(Limits.taskArgument.value)
    const run = await expectStatus(call, 201, 'POST', `/${customer}/task/${fixture.taskId}/job`, {
      token: adminToken,
      json: { task_arguments: [value] },
    })
    const job = await jobEnded(call, customer, adminToken, idOf(run))
    expect(job).toMatchObject({ lifecycle: 'finished', state: 'success' })
    // The other 7 optional arguments reach the script empty.
    expect((job.output as string[]).map((line) => line.trim())).toEqual(
      reported([value, ...Array(7).fill('')]),
    )

    const refused = await expectStatus(call, 422, 'POST', `/${customer}/task/${fixture.taskId}/job`, {
      token: adminToken,
      json: { task_arguments: [textOfBytes(Limits.taskArgument.value + 1)] },
    })
    expect(refused.body).toMatchObject({
      statusCode: 422,
      code: 'LIMIT_EXCEEDED',
      message: 'task_arguments[0] is 65537 bytes; the limit is 65536 bytes (task argument size)',
    })
  })

  it('runs a job at every limit of a work order at once: script, env and arguments', async () => {
    const { call, customer, adminToken, botId } = platform
    const as = { token: adminToken }
    // A script of exactly the script size: the reporter, then a comment filling the rest.
    const content = `${REPORTER}#${'p'.repeat(Limits.scriptContent.value - Buffer.byteLength(REPORTER) - 2)}\n`
    expect(Buffer.byteLength(content)).toBe(Limits.scriptContent.value)
    const scriptId = idOf(
      await expectStatus(call, 201, 'POST', `/${customer}/script`, {
        ...as,
        json: { filename: 'big.sh', content },
      }),
    )
    const third = (Limits.env.value - 9) / 3
    const env = Object.fromEntries(
      [0, 1, 2].map((i) => [`V0${i}`, textOfBytes(Math.floor(third) + (i < 2 ? 1 : 0))]),
    )
    const inputs = Array.from({ length: 4 }, (_, order) => ({ order, type: 'input' }))
    const taskId = idOf(
      await expectStatus(call, 201, 'POST', `/${customer}/task`, {
        ...as,
        json: {
          name: 'at the limits',
          host_id: botId,
          script_id: scriptId,
          task_arguments: inputs,
          env,
          run_as: 'sh %script%',
        },
      }),
    )
    const values = Array.from({ length: 4 }, () => textOfBytes(Limits.taskArgument.value))
    expect(values.join('').length).toBeLessThan(Limits.taskArguments.value)
    expect(Buffer.byteLength(values.join(''))).toBe(Limits.taskArguments.value)
    const run = await expectStatus(call, 201, 'POST', `/${customer}/task/${taskId}/job`, {
      ...as,
      json: values,
    })
    const job = await jobEnded(call, customer, adminToken, idOf(run))
    expect(job).toMatchObject({ lifecycle: 'finished', state: 'success' })
    expect((job.output as string[]).map((line) => line.trim())).toEqual(reported(values))
  })

  for (const limit of LIMIT_TABLE) {
    it(`${limit.name}: ${limit.value} ${limit.unit} accepted, ${limit.value + 1} refused with ${limit.status}`, async () => {
      await expectLimitHeld(limit, fixture, send)
    })
  }
})
