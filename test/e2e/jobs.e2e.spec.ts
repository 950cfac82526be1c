import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { botProcess as startableBot } from '../../scripts/platform/bot-process.js'
import type { ServiceProcess } from '../../scripts/platform/service-process.js'
import { type Platform, startPlatform } from '../../scripts/platform.js'

/** The scheduler's lease of a running job in this platform: short, so a lost bot's job ends soon. */
const JOB_LEASE = '4s'

type Json = Record<string, unknown>
interface Job extends Json {
  id: string
  lifecycle: string
  state: string
  output: string[]
  result: {
    code?: number | null
    signal?: string | null
    killed?: boolean
    log?: string
    reason?: string
    abridged?: boolean
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

const ended = (job: Job) => ['finished', 'terminated', 'canceled'].includes(job.lifecycle)

// Jobs and bots end to end: every service, Postgres and nats-server as `npm start` runs them, and bot
// agents started here as their own processes (`npm run bot -- --credentials <file>`), running real
// scripts.
describe('jobs on real bots', () => {
  let platform: Platform
  let dataDir: string
  let files: string
  let customer: string
  let token: string
  let gateway: string
  const bots: ServiceProcess[] = []
  const credentials = new Map<string, Json>()

  async function call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Json }> {
    const response = await fetch(`${gateway}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...headers,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Json) }
  }

  /** An organization and its admin token; the demo one unless said otherwise. */
  interface Org {
    customer: string
    token: string
  }
  const demo = (): Org => ({ customer, token })
  const as = (org: Org) => ({ authorization: `Bearer ${org.token}` })

  /** Registers a bot and saves its credentials file (the REST answer, as the contract says). */
  async function registerBot(name: string, org: Org = demo()): Promise<string> {
    const answer = await call('POST', `/${org.customer}/bot`, { name }, as(org))
    expect(answer.status).toBe(201)
    const id = String(answer.body.id)
    credentials.set(id, answer.body)
    await writeFile(join(files, `${id}.json`), JSON.stringify(answer.body), { mode: 0o600 })
    return id
  }

  /** A bot agent process, as `npm run bot` starts it; its secret is put in its environment on purpose. */
  function botProcess(botId: string): ServiceProcess {
    const secret = String(credentials.get(botId)?.secret ?? '')
    return startableBot({
      name: `bot-${botId.slice(-6)}`,
      credentialsFile: join(files, `${botId}.json`),
      workDir: join(files, `work-${botId}`),
      args: ['--heartbeat-interval', '1s', '--kill-grace', '1s', '--concurrency', '4'],
      env: { ...process.env, LOG_LEVEL: 'info', TASKFORGE_BOT_SECRET: secret, NATS_PASSWORD: secret },
      log: () => {},
    })
  }

  async function startBot(bot: ServiceProcess): Promise<void> {
    if (!bots.includes(bot)) bots.push(bot)
    bot.start()
    await bot.waitReady({ logMessage: 'bot started' }, 60_000)
  }

  async function createTask(
    host: string,
    script: string,
    fields: Json = {},
    org: Org = demo(),
  ): Promise<{ id: string; run(args?: string[]): Promise<Job> }> {
    const created = await call(
      'POST',
      `/${org.customer}/script`,
      { filename: 'job.sh', content: script },
      as(org),
    )
    expect(created.status).toBe(201)
    const task = await call(
      'POST',
      `/${org.customer}/task`,
      {
        name: `task ${Math.random().toString(36).slice(2, 8)}`,
        host_id: host,
        script_id: created.body.id,
        ...fields,
      },
      as(org),
    )
    expect(task.status).toBe(201)
    const id = String(task.body.id)
    return {
      id,
      async run(args: string[] = []) {
        const answer = await call(
          'POST',
          `/${org.customer}/task/${id}/job`,
          { task_arguments: args },
          as(org),
        )
        expect(answer.status).toBe(201)
        return answer.body as Job
      },
    }
  }

  const getJob = async (id: string, org: Org = demo()) =>
    (await call('GET', `/${org.customer}/job/${id}`, undefined, as(org))).body as Job

  async function jobWhen(
    id: string,
    check: (job: Job) => boolean,
    message: string,
    org: Org = demo(),
  ): Promise<Job> {
    return waitUntil(
      async () => {
        const job = await getJob(id, org)
        return check(job) ? job : false
      },
      { timeoutMs: 60_000, intervalMs: 100, message },
    )
  }

  const endOf = (id: string, org: Org = demo()) => jobWhen(id, ended, `job ${id} to end`, org)

  async function logOf(id: string): Promise<string> {
    const response = await fetch(`${gateway}/${customer}/job/${id}/log`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(response.status).toBe(200)
    return response.text()
  }

  /** The bytes of a job's log, as the raw download gives them. */
  async function rawLogOf(id: string): Promise<Buffer> {
    const response = await fetch(`${gateway}/${customer}/job/${id}/log?raw=true`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/octet-stream')
    return Buffer.from(await response.arrayBuffer())
  }

  const pidsIn = async (file: string) =>
    (await readFile(file, 'utf8'))
      .split(/\s+/)
      .filter((word) => word !== '')
      .map(Number)

  const allGone = (pids: number[], message: string) =>
    waitUntil(() => pids.every((pid) => !processAlive(pid)), { timeoutMs: 30_000, message })

  let runner: string
  let away: string
  let awayBot: ServiceProcess

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'taskforge-e2e-jobs-'))
    files = await mkdtemp(join(tmpdir(), 'taskforge-e2e-job-files-'))
    platform = await startPlatform({
      dataDir,
      persistent: false,
      gatewayPort: await freePort(),
      withBot: false,
      log: () => {},
      env: { JOB_LEASE, BOT_OFFLINE_AFTER: '4s' },
    })
    gateway = platform.credentials.gateway_url
    customer = platform.credentials.customer
    token = platform.credentials.admin_token
    runner = await registerBot('runner')
    away = await registerBot('away')
    await startBot(botProcess(runner))
    awayBot = botProcess(away)
  }, 240_000)

  afterAll(async () => {
    await Promise.allSettled(bots.map((bot) => bot.stop(10_000)))
    await platform?.stop()
    await rm(dataDir, { recursive: true, force: true })
    await rm(files, { recursive: true, force: true })
  }, 120_000)

  it('passes arguments verbatim, keeps the bot credentials out of the script, and streams the log', async () => {
    const go = join(files, 'go')
    const task = await createTask(
      runner,
      `#!/bin/sh
echo first
while [ ! -e "$GO_FILE" ]; do sleep 0.05; done
for a in "$@"; do printf '<%s>\\n' "$a"; done
`,
      {
        env: { GO_FILE: go },
        task_arguments: [0, 1, 2, 3, 4].map((order) => ({ order, type: 'input', label: `a${order}` })),
      },
    )
    const args = [`it's "quoted"`, 'a; echo injected', '$(id) `id` $HOME', 'line1\nline2', '  spaced  ']
    const job = await task.run(args)

    const response = await fetch(`${gateway}/${customer}/job/${job.id}/log?follow=true`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/)
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    let streamed = ''
    while (!streamed.includes('first\n')) {
      const { value, done } = await reader.read()
      if (done) throw new Error(`log ended early: ${streamed}`)
      streamed += decoder.decode(value, { stream: true })
    }
    // The script waits for this file: the first line arrived while it was still running.
    expect(await getJob(job.id)).toMatchObject({ lifecycle: 'assigned', state: 'in_progress' })
    await writeFile(go, '')
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      streamed += decoder.decode(value, { stream: true })
    }

    const finished = await endOf(job.id)
    expect(finished).toMatchObject({ lifecycle: 'finished', state: 'success', task_arguments_values: args })
    const expected = ['first', ...args.flatMap((arg) => `<${arg}>`.split('\n'))]
    expect(finished.output).toEqual(expected)
    expect(streamed).toBe(`${expected.join('\n')}\n`)
    expect(await logOf(job.id)).toBe(streamed)

    // The bot ran with its secret in its own environment: nothing of it reached the script.
    const secret = String(credentials.get(runner)?.secret)
    const leak = await createTask(runner, '#!/bin/sh\nenv\n')
    const env = await endOf((await leak.run()).id)
    expect(env.state).toBe('success')
    expect(env.output.join('\n')).not.toContain(secret)
    expect(env.output.some((line) => line.startsWith('NATS') || line.startsWith('TASKFORGE_BOT'))).toBe(false)
    expect(env.output).toContain(`TASKFORGE_JOB_ID=${env.id}`)
  })

  it('kills a script that traps SIGTERM at its timeout, and leaves no process of a forking one', async () => {
    const trapPids = join(files, 'trap-pids')
    const forkPids = join(files, 'fork-pids')
    const trapping = await createTask(
      runner,
      `#!/bin/sh
trap 'echo TERM ignored' TERM
(trap '' TERM; while true; do sleep 0.1; done) &
echo $$ $! > ${trapPids}
echo waiting
while true; do sleep 0.1; done
`,
      { timeout: 1 },
    )
    const forking = await createTask(
      runner,
      `#!/bin/sh
sleep 300 &
echo $! > ${forkPids}
(trap '' TERM HUP; sleep 300) &
echo $! >> ${forkPids}
echo forked
`,
    )
    const [trapJob, forkJob] = await Promise.all([trapping.run(), forking.run()])

    const timedOut = await endOf(trapJob.id)
    expect(timedOut).toMatchObject({ lifecycle: 'terminated', state: 'timeout' })
    expect(timedOut.result).toMatchObject({ killed: true, signal: 'SIGKILL' })
    expect(timedOut.output[0]).toBe('waiting')
    await allGone(await pidsIn(trapPids), 'the processes of the timed out job to be gone')

    const forked = await endOf(forkJob.id)
    expect(forked).toMatchObject({ lifecycle: 'finished', state: 'success', output: ['forked'] })
    const children = await pidsIn(forkPids)
    expect(children).toHaveLength(2)
    await allGone(children, 'the children of the forking job to be gone')
  })

  it('cancels a running job: its bot kills it and it ends canceled', async () => {
    const pids = join(files, 'cancel-pids')
    const task = await createTask(
      runner,
      `#!/bin/sh
trap 'echo TERM ignored' TERM
(trap '' TERM; while true; do sleep 0.1; done) &
echo $$ $! > ${pids}
echo running
while true; do sleep 0.1; done
`,
    )
    const job = await task.run()
    await waitUntil(async () => (await logOf(job.id)).includes('running'), { message: 'the job to run' })

    const asked = await call('PUT', `/${customer}/job/${job.id}/cancel`)
    expect(asked.status).toBe(200)
    expect(asked.body).toMatchObject({ id: job.id })
    const canceled = await endOf(job.id)
    expect(canceled).toMatchObject({ lifecycle: 'canceled', state: 'canceled' })
    expect(canceled.result).toMatchObject({ killed: true })
    await allGone(await pidsIn(pids), 'the processes of the canceled job to be gone')

    const again = await call('PUT', `/${customer}/job/${job.id}/cancel`)
    expect(again.status).toBe(409)
  })

  it('answers a run retried with its Idempotency-Key with the first job, never a second one', async () => {
    const task = await createTask(runner, '#!/bin/sh\necho once\n')
    const other = await createTask(runner, '#!/bin/sh\necho other\n')
    const path = `/${customer}/task/${task.id}/job`
    const keyed = (key: string, runPath = path) => call('POST', runPath, {}, { 'idempotency-key': key })
    const key = `retry-${Math.random().toString(36).slice(2)}`

    const first = await keyed(key)
    expect(first.status).toBe(201)
    const id = String(first.body.id)
    await endOf(id)
    // The retry answers the job as it is now, like the first answer: 201, the same job.
    const again = await keyed(key)
    expect(again.status).toBe(201)
    expect(again.body).toMatchObject({ id, task_id: task.id, lifecycle: 'finished', state: 'success' })
    // A run by the task's secret key is a run of the same task: the key names the same job.
    const { secret } = (await call('GET', `/${customer}/task/${task.id}/credentials`)).body
    const bySecret = await keyed(key, `/${customer}/task/${task.id}/secret/${secret}/job`)
    expect(bySecret.status).toBe(201)
    expect(bySecret.body.id).toBe(id)

    // Runs with one key at once create one job.
    const burst = await Promise.all(Array.from({ length: 6 }, () => keyed(`burst-${key}`)))
    expect(burst.map((answer) => answer.status)).toEqual(Array(6).fill(201))
    expect(new Set(burst.map((answer) => answer.body.id)).size).toBe(1)
    const listed = await call('GET', `/${customer}/job?task=${task.id}`)
    expect((listed.body as unknown as Job[]).length).toBe(2)

    // A key is one run: a run of another task with it is refused, and says why.
    const reused = await keyed(key, `/${customer}/task/${other.id}/job`)
    expect(reused.status).toBe(409)
    expect(reused.body).toMatchObject({ statusCode: 409, code: 'CONFLICT' })
    expect(String(reused.body.message)).toContain(task.id)

    for (const bad of ['', 'x'.repeat(201), 'tab\there', 'caf\u00e9']) {
      const refused = await keyed(bad)
      expect(refused.status, JSON.stringify(bad)).toBe(400)
      expect(refused.body).toMatchObject({ statusCode: 400, code: 'BAD_REQUEST' })
      expect(String(refused.body.message)).toContain('Idempotency-Key')
    }
    expect((await call('GET', `/${customer}/job?task=${task.id}`)).body).toHaveLength(2)
  })

  it('runs the jobs of a task without multitasking one at a time, in order', async () => {
    const record = join(files, 'serial')
    const task = await createTask(
      runner,
      `#!/bin/sh
echo "start $1 $(date +%s%N)" >> ${record}
sleep 0.3
echo "end $1 $(date +%s%N)" >> ${record}
`,
      { multitasking: false, task_arguments: [{ order: 0, type: 'input', label: 'n' }] },
    )
    const jobs: Job[] = []
    for (const n of ['1', '2', '3']) jobs.push(await task.run([n]))
    expect(jobs.slice(1).map((job) => job.lifecycle)).toEqual(['ready', 'ready'])
    for (const job of jobs) expect(await endOf(job.id)).toMatchObject({ state: 'success' })

    const lines = (await readFile(record, 'utf8')).trim().split('\n')
    expect(lines.map((line) => line.split(' ').slice(0, 2).join(' '))).toEqual([
      'start 1',
      'end 1',
      'start 2',
      'end 2',
      'start 3',
      'end 3',
    ])
    const times = lines.map((line) => BigInt(line.split(' ')[2]!))
    for (let i = 1; i < times.length; i++) expect(times[i]! >= times[i - 1]!).toBe(true)
  })

  it('keeps the jobs of an offline bot queued, and runs them when it comes back', async () => {
    const bot = async () =>
      ((await call('GET', `/${customer}/bot`)).body as unknown as Json[]).find((b) => b.id === away)!
    expect(await bot()).toMatchObject({ online: false })
    const task = await createTask(away, '#!/bin/sh\necho "ran $TASKFORGE_JOB_ID"\n')
    const waiting = [await task.run(), await task.run()]
    for (const job of waiting) {
      expect(await getJob(job.id)).toMatchObject({
        lifecycle: 'assigned',
        state: 'in_progress',
        host_id: away,
      })
    }

    await startBot(awayBot)
    for (const job of waiting) {
      const done = await endOf(job.id)
      expect(done).toMatchObject({ lifecycle: 'finished', state: 'success', output: [`ran ${job.id}`] })
    }
    // The bot's running jobs come from its heartbeats: the one after the jobs ended says none.
    const listed = await waitUntil(async () => {
      const current = await bot()
      return current.online === true && current.running_jobs === 0 ? current : false
    })
    expect(typeof listed.last_seen).toBe('string')
  })

  it('ends the job of a bot killed mid-job within the lease; the bot cleans up when it returns', async () => {
    const pidFile = join(files, 'orphan-pid')
    const task = await createTask(away, `#!/bin/sh\necho $$ > ${pidFile}\necho started\nexec sleep 600\n`)
    const job = await task.run()
    await waitUntil(async () => (await logOf(job.id)).includes('started'), { message: 'the job to run' })
    const [orphan] = await pidsIn(pidFile)

    await awayBot.kill()
    const lost = await endOf(job.id)
    expect(lost).toMatchObject({ lifecycle: 'terminated', state: 'error' })
    expect(lost.result.reason).toMatch(/lease expired/)
    // The script ran in its own process group: the bot's death did not end it.
    expect(processAlive(orphan!)).toBe(true)

    await startBot(awayBot)
    await allGone([orphan!], 'the orphaned script to be killed by the returning bot')
    expect(await getJob(job.id)).toMatchObject({ lifecycle: 'terminated', state: 'error' })
  })

  it('keeps any bytes a script prints: text with U+FFFD, the exact bytes raw, and other organizations run on', async () => {
    // Every byte value, invalid UTF-8, a carriage return, escape sequences, a 300 KB line without a
    // newline (more than one report's worth) and an unfinished character at the very end. Compared
    // with `same`, so that a failure does not print megabytes.
    const task = await createTask(
      runner,
      `#!/bin/sh
i=0
while [ $i -lt 256 ]; do printf "\\\\$(printf %03o $i)"; i=$((i + 1)); done
printf '\\n\\303\\050\\342\\202\\n'
printf 'progress 10%%\\rprogress 100%%\\r\\n\\033[31mred\\033[0m\\n'
head -c 400000 /dev/zero | tr '\\0' x
printf '\\342'
`,
    )
    const printed = Buffer.concat([
      Buffer.from(Array.from({ length: 256 }, (_, byte) => byte)),
      Buffer.from([0x0a, 0xc3, 0x28, 0xe2, 0x82, 0x0a]),
      Buffer.from('progress 10%\rprogress 100%\r\n\u001b[31mred\u001b[0m\n'),
      Buffer.alloc(400_000, 'x'),
      Buffer.from([0xe2]),
    ])
    const text = new TextDecoder().decode(printed).replaceAll('\u0000', '\ufffd')
    const job = await endOf((await task.run()).id)
    expect(job).toMatchObject({ lifecycle: 'finished', state: 'success' })
    const same = (actual: unknown, expected: unknown, what: string) =>
      expect(Buffer.isBuffer(actual) ? actual.equals(expected as Buffer) : actual === expected, what).toBe(
        true,
      )
    // The job keeps the end of its log (64 KiB); its output lines and last line were cut too, as
    // they do not fit the finished report together.
    expect(job.result.abridged).toBe(true)
    same(job.result.log, text.slice(-(64 * 1024 - 2)), 'the end of the log, as text')
    same(job.output[0], text.split('\n')[0], 'the first output line')
    same(await logOf(job.id), text, 'GET log')
    same(await rawLogOf(job.id), printed, 'GET log?raw=true')

    // A script printing past the bot's output limit (1 MiB): NUL bytes, each shown as U+FFFD.
    const flood = await createTask(runner, '#!/bin/sh\nhead -c 1500000 /dev/zero\n')
    const flooded = await endOf((await flood.run()).id)
    expect(flooded).toMatchObject({ lifecycle: 'finished', state: 'success' })
    expect(flooded.result).toMatchObject({ truncated_bytes: 1_500_000 - 1024 * 1024 })
    same(await logOf(flooded.id), '\ufffd'.repeat(1024 * 1024), 'the log of the flood, as text')
    same(flooded.result.log, '\ufffd'.repeat((64 * 1024) / 3), 'the end of the log of the flood')
    same(await rawLogOf(flooded.id), Buffer.alloc(1024 * 1024), 'the flood, raw')

    // Another organization's jobs still run and finish.
    const created = await call(
      'POST',
      '/admin/customers',
      { name: 'bytes-neighbour' },
      { authorization: `Bearer ${platform.credentials.root_token}` },
    )
    expect(created.status).toBe(201)
    const neighbour: Org = { customer: 'bytes-neighbour', token: String(created.body.admin_token) }
    const neighbourBot = await registerBot('neighbour', neighbour)
    await startBot(botProcess(neighbourBot))
    const hello = await createTask(neighbourBot, '#!/bin/sh\necho hello neighbour\n', {}, neighbour)
    const answer = await call('POST', `/${neighbour.customer}/task/${hello.id}/job`, {}, as(neighbour))
    expect(answer.status).toBe(201)
    const done = await endOf(String(answer.body.id), neighbour)
    expect(done).toMatchObject({ lifecycle: 'finished', state: 'success', output: ['hello neighbour'] })
  })
})
