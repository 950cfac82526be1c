import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Bus } from '@taskforge/bus'
import { contentSha256, newId } from '@taskforge/core'
import { BotReport, DispatchJob, Heartbeat } from '@taskforge/proto/bots/v1/protocol'
import { CONTROL_STREAM, Durables } from '@taskforge/protocol'
import { createLogger } from '@taskforge/telemetry'
import { type NatsServer, startNats, waitUntil } from '@taskforge/testkit'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { BotAgent, type BotAgentOptions, RESTARTED_REASON, SHUTDOWN_REASON } from './agent.js'
import type { BotCredentials } from './credentials.js'
import { Journal } from './journal.js'
import {
  declareBot,
  dispatch,
  finishedOf,
  jobSpec,
  outputOf,
  processAlive,
  ReportCollector,
  type ScriptServer,
  sendCancel,
  serveScripts,
} from './test-support/bot-fixture.js'

const logger = createLogger('bot', {}, { level: 'warn' })

describe('BotAgent against a real nats-server', () => {
  let nats: NatsServer
  let bus: Bus
  let dir: string
  let credentials: BotCredentials
  let reports: ReportCollector
  let scripts: ScriptServer
  const agents: BotAgent[] = []

  beforeAll(async () => {
    nats = await startNats()
    bus = await Bus.connect({ servers: nats.url, name: 'bot-test', logger })
    scripts = serveScripts(bus)
  })
  afterAll(async () => {
    scripts?.stop()
    await bus?.close()
    await nats?.stop()
  })
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bot-agent-'))
    credentials = await declareBot(bus, nats.url)
    reports = await ReportCollector.start(bus, credentials)
  })
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.stop()))
    await reports.stop()
    await rm(dir, { recursive: true, force: true })
  })

  async function startAgent(options: Partial<BotAgentOptions> = {}): Promise<BotAgent> {
    const agent = await BotAgent.start({
      credentials,
      concurrency: 4,
      workDir: join(dir, 'work'),
      killGraceMs: 500,
      shutdownTimeoutMs: 10_000,
      heartbeatIntervalMs: 200,
      pullExpiresMs: 1000,
      logger,
      ...options,
    })
    agents.push(agent)
    return agent
  }

  async function dispatchConsumerSettled(): Promise<void> {
    await waitUntil(
      async () => {
        const info = await bus.jsm.consumers.info('DISPATCH', credentials.dispatchConsumer)
        return info.num_pending === 0 && info.num_ack_pending === 0
      },
      { message: 'every dispatch delivered and acknowledged' },
    )
  }

  it('runs a job with its arguments verbatim and reports started, output and finished in order', async () => {
    await startAgent()
    const args = [
      `it's "quoted"`,
      'a; echo injected',
      '$(id) `id` $HOME',
      '  two  spaces ',
      'line1\nline2',
      '',
    ]
    const jobId = await dispatch(
      bus,
      credentials,
      jobSpec('#!/bin/sh\nfor a in "$@"; do printf "<%s>\\n" "$a"; done\necho "job=$TASKFORGE_JOB_ID"\n'),
      { args },
    )
    const all = await reports.finished(jobId)
    const expected = `${args.map((arg) => `<${arg}>\n`).join('')}job=${jobId}\n`

    expect(all[0]?.report?.$case).toBe('started')
    expect(all[all.length - 1]?.report?.$case).toBe('finished')
    const seqs = all.flatMap((r) => (r.report?.$case === 'output' ? [r.report.value.seq] : []))
    expect(seqs).toEqual(seqs.map((_, i) => i + 1))
    expect(all.map((r) => r.reportId)).toEqual([
      `${jobId}.1.started`,
      ...seqs.map((seq) => `${jobId}.1.output.${seq}`),
      `${jobId}.1.finished`,
    ])
    expect(outputOf(all)).toBe(expected)
    const finished = finishedOf(all)
    expect(finished.state).toBe('success')
    expect(finished.result).toMatchObject({ code: 0, killed: false, log: expected, lastline: `job=${jobId}` })
    expect(finished.output).toEqual(expected.trimEnd().split('\n'))
    await dispatchConsumerSettled()
  })

  it('applies run_as without a shell and the task environment without the bot one', async () => {
    await startAgent({ env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NATS_PASSWORD: 'bot-secret' } })
    const jobId = await dispatch(
      bus,
      credentials,
      jobSpec('echo "shell=$0 first=$1 greeting=$GREETING secret=[$NATS_PASSWORD]"\n', {
        runAs: `sh -e %script% 'from run_as'`,
        env: { GREETING: 'hello' },
      }),
    )
    const finished = finishedOf(await reports.finished(jobId))
    expect(finished.state).toBe('success')
    expect(finished.output).toEqual([
      expect.stringMatching(/^shell=\/.*script\.sh first=from run_as greeting=hello secret=\[\]$/),
    ])
  })

  it('kills a job that ignores SIGTERM after its timeout, with every process of its group', async () => {
    await startAgent()
    const pidFile = join(dir, 'pids')
    const script = `#!/bin/sh
trap 'echo TERM ignored' TERM
(trap '' TERM; while true; do sleep 0.1; done) &
echo $$ $! > ${pidFile}
echo waiting
while true; do sleep 0.1; done
`
    const jobId = await dispatch(bus, credentials, jobSpec(script, { timeout: 1 }))
    const all = await reports.finished(jobId)
    const finished = finishedOf(all)
    expect(finished.state).toBe('timeout')
    expect(finished.result).toMatchObject({ killed: true, signal: 'SIGKILL' })
    expect(finished.output[0]).toBe('waiting')
    const pids = (await readFile(pidFile, 'utf8')).trim().split(' ').map(Number)
    await waitUntil(() => pids.every((pid) => !processAlive(pid)), {
      message: 'the job processes to be gone',
    })
  })

  it('leaves no process behind after a script that forks and exits', async () => {
    await startAgent()
    const pidFile = join(dir, 'pids')
    const jobId = await dispatch(
      bus,
      credentials,
      jobSpec(
        `#!/bin/sh\nsleep 60 &\necho $! > ${pidFile}\n(trap '' TERM HUP; sleep 60) &\necho $! >> ${pidFile}\necho forked\n`,
      ),
    )
    expect(finishedOf(await reports.finished(jobId)).state).toBe('success')
    const pids = (await readFile(pidFile, 'utf8')).trim().split('\n').map(Number)
    expect(pids).toHaveLength(2)
    await waitUntil(() => pids.every((pid) => !processAlive(pid)), {
      message: 'the forked processes to be gone',
    })
  })

  it('uses the outcome rules and reports a command that cannot start as an error', async () => {
    await startAgent()
    const failing = await dispatch(bus, credentials, jobSpec('#!/bin/sh\necho nope\nexit 2\n'))
    const verdict = await dispatch(
      bus,
      credentials,
      jobSpec('#!/bin/sh\necho \'{"state":"success","output":["a","b"]}\'\nexit 1\n'),
    )
    const missing = await dispatch(bus, credentials, jobSpec('echo hi', { runAs: '/nonexistent/shell' }))
    expect(finishedOf(await reports.finished(failing))).toMatchObject({
      state: 'failure',
      result: { code: 2 },
    })
    expect(finishedOf(await reports.finished(verdict))).toMatchObject({
      state: 'success',
      output: ['a', 'b'],
    })
    const error = finishedOf(await reports.finished(missing))
    expect(error.state).toBe('error')
    expect(error.result?.log).toMatch(/ENOENT/)
  })

  it('never runs more jobs at once than its concurrency', async () => {
    await startAgent({ concurrency: 2 })
    const running = join(dir, 'running')
    const seen = join(dir, 'seen')
    const script = `#!/bin/sh
mkdir -p ${running}
touch ${running}/$TASKFORGE_JOB_ID
ls ${running} | wc -l >> ${seen}
sleep 0.3
rm ${running}/$TASKFORGE_JOB_ID
`
    const jobs = await Promise.all(
      Array.from({ length: 6 }, () => dispatch(bus, credentials, jobSpec(script))),
    )
    for (const jobId of jobs) expect(finishedOf(await reports.finished(jobId)).state).toBe('success')
    const counts = (await readFile(seen, 'utf8')).trim().split('\n').map(Number)
    expect(counts).toHaveLength(6)
    expect(Math.max(...counts)).toBeLessThanOrEqual(2)
  })

  it('acks a redelivered dispatch of a job it already ran without running it again', async () => {
    await startAgent()
    const runs = join(dir, 'runs')
    const spec = jobSpec(`#!/bin/sh\necho run >> ${runs}\n`)
    const jobId = await dispatch(bus, credentials, spec)
    await reports.finished(jobId)
    await dispatch(bus, credentials, spec, { jobId, msgId: `${jobId}.1.again` })
    await dispatchConsumerSettled()
    expect((await readFile(runs, 'utf8')).trim().split('\n')).toEqual(['run'])
    expect(reports.of(jobId).filter((r) => r.report?.$case === 'finished')).toHaveLength(1)
  })

  it('reports a job it was running when it died as an error on the next start', async () => {
    const lost = newId()
    const journal = await Journal.open(join(dir, 'work'))
    await journal.recordStarted(lost, 3)
    await journal.close()
    await startAgent()
    const finished = finishedOf(await reports.finished(lost))
    expect(finished.state).toBe('error')
    expect(finished.result).toMatchObject({ reason: RESTARTED_REASON, log: RESTARTED_REASON })
    expect(reports.of(lost).map((r) => r.reportId)).toEqual([`${lost}.3.finished`])

    await dispatch(bus, credentials, jobSpec('#!/bin/sh\necho again\n'), { jobId: lost, attempt: 3 })
    await dispatchConsumerSettled()
    expect(reports.of(lost).filter((r) => r.report?.$case === 'started')).toHaveLength(0)
  })

  it('stops running jobs on shutdown after its timeout and reports them as errors', async () => {
    const agent = await startAgent({ shutdownTimeoutMs: 200 })
    const pidFile = join(dir, 'pid')
    const jobId = await dispatch(
      bus,
      credentials,
      jobSpec(`#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 60\n`),
    )
    await waitUntil(() => reports.of(jobId).some((r) => r.report?.$case === 'started'))
    await agent.stop()
    const finished = finishedOf(await reports.finished(jobId))
    expect(finished.state).toBe('error')
    expect(finished.result).toMatchObject({ killed: true, reason: SHUTDOWN_REASON })
    const pid = Number((await readFile(pidFile, 'utf8')).trim())
    await waitUntil(() => !processAlive(pid))
  })

  it('kills a canceled running job with its whole group and reports it canceled', async () => {
    await startAgent({ concurrency: 1 })
    const pidFile = join(dir, 'pids')
    const script = `#!/bin/sh
trap 'echo TERM ignored' TERM
(trap '' TERM; while true; do sleep 0.1; done) &
echo $$ $! > ${pidFile}
echo running
while true; do sleep 0.1; done
`
    const jobId = await dispatch(bus, credentials, jobSpec(script, { timeout: 600 }))
    await waitUntil(() => reports.of(jobId).some((r) => r.report?.$case === 'output'), {
      message: 'the job to run',
    })
    // The bot is busy up to its concurrency (it pulls no dispatch): orders still reach it.
    await sendCancel(bus, credentials, jobId, { reason: 'not needed any more' })
    const finished = finishedOf(await reports.finished(jobId))
    expect(finished.state).toBe('canceled')
    expect(finished.result).toMatchObject({ killed: true, signal: 'SIGKILL', reason: 'not needed any more' })
    expect(finished.output[0]).toBe('running')
    const pids = (await readFile(pidFile, 'utf8')).trim().split(' ').map(Number)
    await waitUntil(() => pids.every((pid) => !processAlive(pid)), {
      message: 'the job processes to be gone',
    })
  })

  it('never runs a job canceled before its dispatch arrived, even across a restart', async () => {
    const runs = join(dir, 'runs')
    const jobId = newId()
    await sendCancel(bus, credentials, jobId)
    const first = await startAgent()
    await waitUntil(async () => {
      const info = await bus.jsm.consumers.info(CONTROL_STREAM.name, Durables.botControl(credentials.botId))
      return info.num_pending === 0 && info.num_ack_pending === 0
    })
    await first.stop()
    await startAgent()
    await dispatch(bus, credentials, jobSpec(`#!/bin/sh\necho run >> ${runs}\n`), { jobId })
    await dispatchConsumerSettled()
    expect(reports.of(jobId).filter((r) => r.report?.$case === 'started')).toHaveLength(0)
    await expect(readFile(runs, 'utf8')).rejects.toThrow()
  })

  it('lists its running jobs in its heartbeats', async () => {
    const sub = bus.nc.subscribe(credentials.heartbeatSubject)
    await startAgent()
    const jobId = await dispatch(bus, credentials, jobSpec('#!/bin/sh\nsleep 60\n'))
    try {
      for await (const msg of sub) {
        const beat = Heartbeat.decode(msg.data)
        if (beat.runningJobIds.includes(jobId)) {
          expect(beat.runningJobs).toBe(1)
          break
        }
      }
    } finally {
      sub.unsubscribe()
    }
    await sendCancel(bus, credentials, jobId)
    expect(finishedOf(await reports.finished(jobId)).state).toBe('canceled')
  })

  it('sends heartbeats on its heartbeat subject', async () => {
    const sub = bus.nc.subscribe(credentials.heartbeatSubject, { max: 2 })
    await startAgent({ concurrency: 3 })
    const beats: Heartbeat[] = []
    for await (const msg of sub) beats.push(Heartbeat.decode(msg.data))
    expect(beats).toHaveLength(2)
    expect(beats[0]).toMatchObject({
      botId: credentials.botId,
      customer: 'demo',
      concurrency: 3,
      runningJobs: 0,
    })
  })

  const fetchesOf = (sha256: string) =>
    scripts.requests.filter((request) => request.sha256 === sha256 && request.botId === credentials.botId)

  it('fetches a script once by its hash, in parts, and runs later jobs of it from its disk cache', async () => {
    const first = await startAgent()
    // Big enough to come in three parts of 256 KiB.
    const script = Buffer.from(`#!/bin/sh\necho "ran $1"\nexit 0\n# ${'x'.repeat(600 * 1024)}\n`)
    const spec = jobSpec(script)
    const jobs = await Promise.all(['a', 'b'].map((arg) => dispatch(bus, credentials, spec, { args: [arg] })))
    for (const [i, jobId] of jobs.entries()) {
      expect(finishedOf(await reports.finished(jobId))).toMatchObject({
        state: 'success',
        output: [`ran ${['a', 'b'][i]}`],
      })
    }
    expect(fetchesOf(spec.scriptSha256).map((request) => request.offset)).toEqual([0, 262_144, 524_288])
    expect(fetchesOf(spec.scriptSha256).every((request) => request.customer === credentials.customer)).toBe(
      true,
    )
    expect(await readFile(join(dir, 'work', 'scripts', spec.scriptSha256))).toEqual(script)

    // A restarted bot still holds it.
    await first.stop()
    await startAgent()
    const again = await dispatch(bus, credentials, spec, { args: ['c'] })
    expect(finishedOf(await reports.finished(again))).toMatchObject({ state: 'success', output: ['ran c'] })
    expect(fetchesOf(spec.scriptSha256)).toHaveLength(3)
  })

  it('fails a job whose script cannot be had with a clear reason, and goes on with the next', async () => {
    await startAgent()
    const unknown = Buffer.from('#!/bin/sh\necho never shelved\n')
    const missing = await dispatch(
      bus,
      credentials,
      jobSpec('#!/bin/sh\necho x\n', { scriptSha256: contentSha256(unknown), scriptSize: unknown.length }),
    )
    expect(finishedOf(await reports.finished(missing))).toMatchObject({
      state: 'error',
      result: {
        reason: expect.stringMatching(/^cannot prepare the job: script .* is not available: .*NOT_FOUND/),
      },
    })

    const corrupt = jobSpec('#!/bin/sh\necho corrupt\n')
    scripts.scripted.push({
      result: {
        $case: 'part',
        value: { size: corrupt.scriptSize, data: Buffer.alloc(corrupt.scriptSize, 'z') },
      },
    })
    const corrupted = await dispatch(bus, credentials, corrupt)
    expect(finishedOf(await reports.finished(corrupted))).toMatchObject({
      state: 'error',
      result: { reason: expect.stringMatching(/came as \d+ bytes with hash [0-9a-f]+: not run/) },
    })

    const unnamed = await dispatch(bus, credentials, jobSpec('echo', { scriptSha256: '', scriptSize: 0 }))
    expect(finishedOf(await reports.finished(unnamed)).result?.reason).toMatch(/the job names no script/)

    // Nothing wrong was kept: the same script, answered right this time, runs.
    const fine = await dispatch(bus, credentials, corrupt)
    expect(finishedOf(await reports.finished(fine))).toMatchObject({ state: 'success', output: ['corrupt'] })
    await dispatchConsumerSettled()
  })

  it('keeps asking while the catalog cannot answer, then runs the job', async () => {
    await startAgent()
    const spec = jobSpec('#!/bin/sh\necho patience\n')
    const busy = { code: 'UNAVAILABLE', message: 'restarting' }
    scripts.scripted.push(
      { result: { $case: 'error', value: busy } },
      { result: { $case: 'error', value: busy } },
    )
    const jobId = await dispatch(bus, credentials, spec)
    expect(finishedOf(await reports.finished(jobId))).toMatchObject({
      state: 'success',
      output: ['patience'],
    })
    expect(fetchesOf(spec.scriptSha256)).toHaveLength(3)
  })

  it('drops a dispatch that carries the work order in its old form only', async () => {
    await startAgent()
    const jobId = newId()
    const old = DispatchJob.fromPartial({
      jobId,
      customer: credentials.customer,
      botId: credentials.botId,
      spec: jobSpec('#!/bin/sh\necho old\n'),
      attempt: 1,
    })
    await bus.publish(credentials.dispatchSubject, DispatchJob.encode(old).finish(), { msgId: `${jobId}.1` })
    await dispatchConsumerSettled()
    expect(reports.of(jobId)).toHaveLength(0)
  })

  it('rejects a dispatch meant for another bot', async () => {
    await startAgent()
    const jobId = await dispatch(
      bus,
      { ...credentials, botId: 'someone-else' },
      jobSpec('#!/bin/sh\necho no\n'),
    )
    await dispatchConsumerSettled()
    expect(reports.of(jobId)).toHaveLength(0)
  })
})

describe('BotAgent on a server whose max_payload is small', () => {
  const MAX_PAYLOAD = 4096
  let nats: NatsServer
  let bus: Bus
  let dir: string

  let scripts: ScriptServer

  beforeAll(async () => {
    nats = await startNats({ configText: `max_payload: ${MAX_PAYLOAD}\n` })
    bus = await Bus.connect({ servers: nats.url, name: 'bot-test', logger })
    // The script itself comes in parts that fit the server too.
    scripts = serveScripts(bus, { partBytes: MAX_PAYLOAD / 2 })
    dir = await mkdtemp(join(tmpdir(), 'bot-agent-small-'))
  })
  afterAll(async () => {
    scripts?.stop()
    await bus?.close()
    await nats?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('keeps every report under it, whatever the script printed, and loses no byte', async () => {
    const credentials = await declareBot(bus, nats.url)
    const reports = await ReportCollector.start(bus, credentials)
    const agent = await BotAgent.start({
      credentials,
      concurrency: 1,
      workDir: join(dir, 'work'),
      killGraceMs: 500,
      shutdownTimeoutMs: 10_000,
      heartbeatIntervalMs: 200,
      pullExpiresMs: 1000,
      logger,
    })
    try {
      // Every byte value, invalid UTF-8, NUL-filled and 20 KB lines: a report's text may take three
      // times its bytes, and the lines together are far more than one finished report holds.
      const jobId = await dispatch(
        bus,
        credentials,
        jobSpec(
          `#!/bin/sh
i=0
while [ $i -lt 256 ]; do printf "\\\\$(printf %03o $i)"; i=$((i + 1)); done
printf '\\n\\303\\050\\342\\202\\n'
head -c 20000 /dev/zero
echo
head -c 20000 /dev/zero | tr '\\0' '\\377' >&2
head -c 20000 /dev/zero | tr '\\0' x
`,
        ),
      )
      const all = await reports.finished(jobId)
      for (const report of all)
        expect(BotReport.encode(report).finish().length).toBeLessThanOrEqual(MAX_PAYLOAD)
      const outputs = all.flatMap((report) =>
        report.report?.$case === 'output' ? [report.report.value] : [],
      )
      expect(outputs.length).toBeGreaterThan(20)
      const bytesOf = (stream: string) =>
        Buffer.concat(outputs.filter((output) => output.stream === stream).map((output) => output.data!))
      const stdout = Buffer.concat([
        Buffer.from(Array.from({ length: 256 }, (_, byte) => byte)),
        Buffer.from([0x0a, 0xc3, 0x28, 0xe2, 0x82, 0x0a]),
        Buffer.alloc(20_000),
        Buffer.from('\n'),
        Buffer.alloc(20_000, 'x'),
      ])
      expect(bytesOf('stdout').equals(stdout)).toBe(true)
      expect(bytesOf('stderr').equals(Buffer.alloc(20_000, 0xff))).toBe(true)
      const text = outputs.map((output) => output.text).join('')
      expect(text.isWellFormed() && !text.includes('\0')).toBe(true)
      const finished = finishedOf(all)
      expect(finished.state).toBe('success')
      expect(finished.result?.abridged).toBe(true)
    } finally {
      await agent.stop()
      await reports.stop()
    }
  })
})
