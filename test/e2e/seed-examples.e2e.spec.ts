import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Platform, startPlatform } from '../../scripts/platform.js'
import { expectStatus, idOf, jobEnded } from './support/fixtures.js'
import { type GatewayCall, gatewayClient } from './support/gateway-client.js'
import {
  approvalForm,
  codeBlocks,
  DOCUMENTED_HOST,
  readSeed,
  SEED_PATHS,
  type SeedBlock,
} from './support/seed-examples.js'

interface Run {
  code: number
  stdout: string
  stderr: string
}

/** The id the documentation's Example 2 asks for, which users replace with one of theirs. */
const DOCUMENTED_TASK_ID = '61098ee1a3013300120c687b'

// Every bash example of the Tasks API documentation, run with bash, curl and jq against the gateway
// of a started platform. Only the host, the credentials, the ids and the environment are replaced.
describe('the Tasks API documentation, as users copy it', () => {
  let platform: Platform
  let dataDir: string
  let call: GatewayCall
  let customer: string
  let admin: string
  let taskId: string
  let secondTaskId: string
  let secret: string
  let bash: SeedBlock[]

  /** Runs one example as a script file, as a user would after pasting it, with the given environment. */
  const runExample = async (code: string, env: Record<string, string>, args: string[] = []): Promise<Run> => {
    const file = join(dataDir, `example-${Math.random().toString(36).slice(2)}.sh`)
    await writeFile(file, code)
    return new Promise((resolve) => {
      execFile(
        'bash',
        [file, ...args],
        { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dataDir, ...env }, timeout: 60_000 },
        (error, stdout, stderr) => {
          const exit = error === null ? 0 : typeof error.code === 'number' ? error.code : 1
          resolve({ code: exit, stdout, stderr })
        },
      )
    })
  }

  /** An example's code with only the documented host (and, where it names one, the documented task id) replaced. */
  const example = (number: number): string => {
    const block = bash.find((b) => b.example === number)
    if (block === undefined) throw new Error(`the documentation has no bash block for example ${number}`)
    return block.code
      .replace(DOCUMENTED_HOST, platform.credentials.gateway_url)
      .replaceAll(DOCUMENTED_TASK_ID, taskId)
  }

  beforeAll(async () => {
    bash = codeBlocks(await readSeed()).filter((block) => block.language === 'bash')
    dataDir = await mkdtemp(join(tmpdir(), 'taskforge-seed-'))
    platform = await startPlatform({
      dataDir,
      persistent: false,
      gatewayPort: await freePort(),
      withBot: true,
    })
    call = gatewayClient(platform.credentials.gateway_url)
    customer = platform.credentials.customer
    admin = platform.credentials.admin_token
    const script = await expectStatus(call, 201, 'POST', `/${customer}/script`, {
      token: admin,
      json: { filename: 'hello.sh', content: '#!/bin/sh\necho "hello from the docs"\n' },
    })
    const task = (name: string) =>
      expectStatus(call, 201, 'POST', `/${customer}/task`, {
        token: admin,
        json: { name, host_id: platform.credentials.bot.id, script_id: idOf(script) },
      })
    taskId = idOf(await task('documented task'))
    secondTaskId = idOf(await task('second task'))
    secret = String(
      (await expectStatus(call, 200, 'GET', `/${customer}/task/${taskId}/credentials`, { token: admin })).body
        .secret,
    )
  }, 180_000)

  afterAll(async () => {
    await platform?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('has a bash block for each of examples 1, 2, 3, 4 and 6', async () => {
    expect(bash.map((block) => block.example)).toEqual([1, 2, 3, 4, 6])
    if (existsSync(SEED_PATHS.shared)) {
      // The copy kept for fresh clones must say what the documentation says.
      expect(await readFile(SEED_PATHS.vendored, 'utf8')).toBe(await readFile(SEED_PATHS.shared, 'utf8'))
    }
  })

  it('Example 1 lists the tasks as a JSON array', async () => {
    const run = await runExample(example(1), { THEEYE_ORGANIZATION_NAME: customer, THEEYE_TOKEN: admin })
    expect(run.code, run.stderr).toBe(0)
    const tasks = JSON.parse(run.stdout) as { id: string; name: string }[]
    expect(tasks.map((t) => t.id)).toEqual(expect.arrayContaining([taskId, secondTaskId]))
  })

  it('Example 2 finds a task by id', async () => {
    const run = await runExample(example(2), { THEEYE_ORGANIZATION_NAME: customer, THEEYE_TOKEN: admin })
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ id: taskId, name: 'documented task', timeout: 600 })
  })

  it('Example 3 lists tasks with their timeout through jq', async () => {
    const run = await runExample(example(3), { THEEYE_TOKEN: admin }, [
      customer,
      platform.credentials.gateway_url,
    ])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain(`id: ${taskId}\ttask: documented task\ttimeout: 600\n`)
    expect(run.stdout).toContain(`id: ${secondTaskId}\ttask: second task\ttimeout: 600\n`)
  })

  // The organization's name goes through `jq -r '.'`, which only reads JSON: with a plain name in the
  // variable (what the other examples use) jq prints nothing and the request names no organization;
  // with a JSON string it names it. Both must run the task the secret key belongs to.
  it.each([
    ['a plain organization name', () => customer],
    ['the organization name as a JSON string', () => JSON.stringify(customer)],
  ])('Example 4 runs the task with its secret key, verbatim, with %s', async (_label, organization) => {
    const run = await runExample(example(4), {
      THEEYE_ORGANIZATION_NAME: organization(),
      TASK_ID: taskId,
      TASK_SECRET: secret,
    })
    expect(run.code, run.stderr).toBe(0)
    const [head = '', body = ''] = run.stdout.split(/\r?\n\r?\n/, 2)
    expect(head).toMatch(/^HTTP\/1\.1 20[01]/)
    expect(head.toLowerCase()).toContain('content-type: application/json')
    const job = JSON.parse(body) as Record<string, unknown>
    expect(job).toMatchObject({ task_id: taskId, customer, name: 'documented task' })
    const ended = await jobEnded(call, customer, admin, String(job.id))
    expect(ended).toMatchObject({ lifecycle: 'finished', state: 'success', output: ['hello from the docs'] })
  })

  it.each([
    ['a plain organization name', () => customer],
    ['the organization name as a JSON string', () => JSON.stringify(customer)],
  ])('Example 6 runs a task with an integration token, with %s', async (_label, organization) => {
    const run = await runExample(example(6), {
      THEEYE_ORGANIZATION_NAME: organization(),
      TASK_ID: secondTaskId,
      ACCESS_TOKEN: admin,
    })
    expect(run.code, run.stderr).toBe(0)
    const job = JSON.parse(run.stdout) as Record<string, unknown>
    expect(job).toMatchObject({ task_id: secondTaskId, customer, task_arguments_values: [] })
    expect((await jobEnded(call, customer, admin, String(job.id))).state).toBe('success')
  })

  it("Example 5's approval button, submitted by a browser, queues the job and shows a page", async () => {
    const fields = await approvalForm({ customer, task: taskId })
    expect(fields.map(([name]) => name)).toEqual(['customer', 'task', 'task_arguments[]', 'task_arguments[]'])
    const argumentTask = idOf(
      await expectStatus(call, 201, 'POST', `/${customer}/task`, {
        token: admin,
        json: {
          name: 'approval',
          host_id: platform.credentials.bot.id,
          script_id: (await expectStatus(call, 200, 'GET', `/${customer}/task/${taskId}`, { token: admin }))
            .body.script_id,
          task_arguments: [
            { order: 0, type: 'input', label: 'a' },
            { order: 1, type: 'input', label: 'b' },
          ],
        },
      }),
    )
    const approvalSecret = String(
      (
        await expectStatus(call, 200, 'GET', `/${customer}/task/${argumentTask}/credentials`, {
          token: admin,
        })
      ).body.secret,
    )
    const form = new URLSearchParams(
      fields.map(([name, value]): [string, string] => [name, name === 'task' ? argumentTask : value]),
    )
    const response = await fetch(`${platform.credentials.gateway_url}/job/secret/${approvalSecret}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      },
      body: form.toString(),
    })
    expect(response.status).toBe(201)
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await response.text()).toMatch(/queued/i)
    const jobs = await expectStatus(call, 200, 'GET', `/${customer}/job?task=${argumentTask}`, {
      token: admin,
    })
    expect(jobs.json).toEqual([expect.objectContaining({ task_arguments_values: ['arg1', 'arg2'] })])
  })
})
