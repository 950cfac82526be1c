import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitUntil } from '@taskforge/testkit'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RestartPolicy } from './restart-policy.js'
import { ServiceProcess, supervisedProcess } from './service-process.js'
import { type CrashLoop, Supervisor } from './supervisor.js'

// Real child processes (a few lines of node) under the supervisor, as `npm start` runs its services.
// Each run appends its pid to a file, says it is ready as a service's log would, then either stays up
// or, with CRASH set, prints a line and exits with code 3.
const CHILD = `
const { appendFileSync } = require('node:fs')
appendFileSync(process.env.PIDS, process.pid + '\\n')
if (process.env.EARLY) process.exit(2)
console.log(JSON.stringify({ level: 30, msg: 'ready' }))
if (process.env.CRASH) {
  console.log('cannot go on: boom')
  process.exit(3)
}
setInterval(() => {}, 60_000)
`

const QUICK: RestartPolicy = { initialDelayMs: 20, maxDelayMs: 200, stableAfterMs: 60_000, maxRestarts: 3 }

describe('Supervisor around a real process', () => {
  let dir: string
  let pidsFile: string
  const supervisors: Supervisor[] = []

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'taskforge-supervisor-'))
    pidsFile = join(dir, 'pids')
  })

  afterEach(async () => {
    for (const supervisor of supervisors.splice(0)) await supervisor.stop()
    await rm(dir, { recursive: true, force: true })
  })

  async function pids(): Promise<number[]> {
    const text = await readFile(pidsFile, 'utf8').catch(() => '')
    return text.split('\n').filter(Boolean).map(Number)
  }

  function supervise(options: { crash?: boolean; early?: boolean; policy?: RestartPolicy } = {}) {
    const said: string[] = []
    const loops: CrashLoop[] = []
    const service = new ServiceProcess({
      name: 'sleeper',
      command: process.execPath,
      args: ['-e', CHILD],
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        PIDS: pidsFile,
        ...(options.crash ? { CRASH: '1' } : {}),
        ...(options.early ? { EARLY: '1' } : {}),
      },
      log: () => undefined,
    })
    const target = supervisedProcess(service, {
      readiness: { logMessage: 'ready' },
      readyTimeoutMs: 30_000,
      stopGraceMs: 5_000,
    })
    const supervisor = new Supervisor(target, {
      policy: options.policy ?? QUICK,
      say: (message) => said.push(message),
      onCrashLoop: (loop) => loops.push(loop),
    })
    supervisors.push(supervisor)
    return { service, supervisor, said, loops }
  }

  it('starts a process killed with SIGKILL again and says so', async () => {
    const { service, supervisor, said } = supervise()
    await supervisor.start()
    const [first] = await pids()
    process.kill(first!, 'SIGKILL')

    await waitUntil(async () => (await pids()).length === 2 && service.running, {
      message: 'the process to run again',
    })
    await waitUntil(() => said.length === 2, { message: 'the supervisor to say it is ready again' })
    expect(said).toEqual([
      'sleeper exited (SIGKILL); restarting in 0.02s (restart 1)',
      'sleeper is ready again',
    ])
    expect(service.process?.pid).toBe((await pids())[1])
    expect(supervisor).toMatchObject({ state: 'supervised', restarts: 1 })
  })

  it('gives up on a crash loop with one message naming the process, its exits and its last lines', async () => {
    const { supervisor, said, loops } = supervise({ crash: true })
    // The first start is ready before the crash: supervision begins, and the crashes follow.
    await supervisor.start()
    await waitUntil(() => loops.length > 0, { message: 'the supervisor to give up' })

    expect(said.filter((line) => line.includes('exited'))).toEqual([
      'sleeper exited (code 3); restarting in 0.02s (restart 1)',
      'sleeper exited (code 3); restarting in 0.04s (restart 2)',
      'sleeper exited (code 3); restarting in 0.08s (restart 3)',
    ])
    expect(loops).toHaveLength(1)
    expect(loops[0]).toMatchObject({ name: 'sleeper', exits: 4, lastExit: 'code 3' })
    expect(loops[0]?.message).toBe(
      'sleeper keeps exiting: 4 runs in a row ended before staying up 60s (the last: code 3); ' +
        'it is not started again. Its last lines follow: fix what they show, then start the platform again.',
    )
    expect(loops[0]?.lastLines.at(-2)).toBe('cannot go on: boom')
    expect(JSON.parse(loops[0]?.lastLines.at(-1) ?? '')).toMatchObject({ msg: 'exited (code 3)' })
    expect(await pids()).toHaveLength(4)
    expect(supervisor.state).toBe('crash-loop')
  })

  it('fails a first start that does not get ready, at once and without retrying', async () => {
    const { supervisor, said } = supervise({ early: true })
    await expect(supervisor.start()).rejects.toThrow(/sleeper exited before it was ready/)

    expect(supervisor).toMatchObject({ state: 'held', restarts: 0 })
    expect(await pids()).toHaveLength(1)
    expect(said).toEqual([])
  })

  it('does not start again a process that exits because it is stopped', async () => {
    const { service, supervisor, said } = supervise()
    await supervisor.start()
    await supervisor.stop()

    expect(service.running).toBe(false)
    expect(supervisor).toMatchObject({ state: 'stopped', restarts: 0 })
    // Longer than every back-off of the policy: had the exit been taken for a crash, it would show.
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await pids()).toHaveLength(1)
    expect(said).toEqual([])
  })

  it('stops at once a process waiting out its back-off, and never starts it', async () => {
    const { supervisor, said } = supervise({
      policy: { ...QUICK, initialDelayMs: 600_000, maxDelayMs: 600_000 },
    })
    await supervisor.start()
    const [first] = await pids()
    process.kill(first!, 'SIGKILL')
    await waitUntil(() => said.length === 1, { message: 'the restart to be announced' })

    await supervisor.stop()
    expect(supervisor).toMatchObject({ state: 'stopped' })
    expect(await pids()).toEqual([first])
  })

  it('holds a process killed on purpose until it is restarted, which waits until it is ready', async () => {
    const { service, supervisor, said } = supervise()
    await supervisor.start()
    await supervisor.kill()
    expect(supervisor.state).toBe('held')
    expect(service.running).toBe(false)
    await expect(supervisor.restart()).resolves.toBeUndefined()

    expect(service.running).toBe(true)
    expect(await pids()).toHaveLength(2)
    expect(said).toEqual([])
    expect(supervisor).toMatchObject({ state: 'supervised', restarts: 0 })
    await expect(supervisor.restart()).rejects.toThrow('sleeper is running; kill it first')
  })
})
