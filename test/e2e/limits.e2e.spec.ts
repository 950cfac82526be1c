import { createHash } from 'node:crypto'
import { connect } from 'node:net'
import { LIMIT_TABLE, Limits } from '@taskforge/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectStatus, idOf, jobEnded } from './support/fixtures.js'
import { type InProcessPlatform, startInProcessPlatform } from './support/in-process-platform.js'
import { LIMIT_INPUTS, type LimitFixture, type LimitRequest, textOfBytes } from './support/limit-inputs.js'

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

const LIMIT_CODES = ['LIMIT_EXCEEDED', 'PAYLOAD_TOO_LARGE', 'HEADERS_TOO_LARGE']

/** Sends a whole HTTP/1.1 request as is and reads the answer's status and body. */
function sendRaw(url: string, raw: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(raw))
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const [head = '', body = ''] = text.split('\r\n\r\n')
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0)
      let json: unknown
      try {
        json = JSON.parse(body)
      } catch {
        json = {}
      }
      resolve({ status, body: (json ?? {}) as Record<string, unknown> })
    })
  })
}

// Every limit of core's table through the real gateway, services, Postgres, NATS and a bot: an input
// of exactly the limit is accepted (and a run at the limits finishes on the bot with its arguments
// whole), one more byte or item is refused with the limit's status and a message naming it.
describe('input limits, end to end', () => {
  let platform: InProcessPlatform
  let fixture: LimitFixture
  let gatewayUrl: string

  const send = async (request: LimitRequest) => {
    if ('raw' in request) return sendRaw(gatewayUrl, request.raw)
    const answer = await platform.call(request.method, request.path, request.options)
    return { status: answer.status, body: answer.body }
  }

  beforeAll(async () => {
    platform = await startInProcessPlatform()
    const { call, customer, adminToken, rootToken, botId } = platform
    const as = { token: adminToken }
    const scriptId = idOf(
      await expectStatus(call, 201, 'POST', `/${customer}/script`, {
        ...as,
        json: { filename: 'report.sh', content: REPORTER },
      }),
    )
    const inputs = Array.from({ length: 8 }, (_, order) => ({ order, type: 'input', label: `a${order}` }))
    const taskId = idOf(
      await expectStatus(call, 201, 'POST', `/${customer}/task`, {
        ...as,
        json: {
          name: 'report',
          host_id: botId,
          script_id: scriptId,
          task_arguments: inputs,
          run_as: 'sh %script%',
        },
      }),
    )
    const webhook = await expectStatus(call, 201, 'POST', `/${customer}/webhook`, {
      ...as,
      json: { name: 'hook' },
    })
    // A bot no agent runs: its jobs wait, so they can be canceled.
    const idleBot = idOf(
      await expectStatus(call, 201, 'POST', `/${customer}/bot`, { ...as, json: { name: 'idle' } }),
    )
    const idleTask = idOf(
      await expectStatus(call, 201, 'POST', `/${customer}/task`, {
        ...as,
        json: { name: 'waits', host_id: idleBot, script_id: scriptId },
      }),
    )
    fixture = {
      customer,
      rootToken,
      adminToken,
      botId,
      scriptId,
      taskId,
      webhook: { id: idOf(webhook), secret: idOf(webhook, 'secret') },
      newIdleJob: async () =>
        idOf(await expectStatus(call, 201, 'POST', `/${customer}/task/${idleTask}/job`, { ...as, json: [] })),
    }
    gatewayUrl = platform.gatewayUrl
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
      const input = LIMIT_INPUTS[limit.key]
      const atLimit = await send(await input.request(limit.value, fixture))
      if (input.accepted !== undefined) {
        expect(atLimit.status, JSON.stringify(atLimit.body).slice(0, 300)).toBe(input.accepted)
      } else {
        expect(atLimit.status).toBeLessThan(500)
        expect(LIMIT_CODES).not.toContain(atLimit.body.code)
      }
      const past = await send(await input.request(limit.value + 1, fixture))
      expect(past.status, JSON.stringify(past.body).slice(0, 300)).toBe(limit.status)
      expect(past.body.message).toMatch(
        new RegExp(`the limit is ${limit.value} ${limit.unit} \\(${limit.name}\\)$`),
      )
      expect(past.body.details).toMatchObject({ limit: limit.name, maximum: limit.value })
    })
  }
})
