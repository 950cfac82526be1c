import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectStatus, type ScheduleFire as Fire, idOf, sleep } from './support/fixtures.js'
import { type InProcessPlatform, startInProcessPlatform } from './support/in-process-platform.js'

type Json = Record<string, unknown>

// Schedules when job-scheduler processes die: two replicas as child processes of their own, killed
// with SIGKILL, the rest of the platform (gateway, catalog, dispatch, a bot) real and in this process.
describe('schedules under SIGKILL and downtime', () => {
  let platform: InProcessPlatform
  let taskId: string

  /** Calls the gateway, trying again while it finds no scheduler replica to answer (one was just killed). */
  async function call(method: string, path: string, json?: Json) {
    const { customer, adminToken } = platform
    for (let attempt = 0; ; attempt++) {
      const answer = await platform.call(method, `/${customer}${path}`, {
        token: adminToken,
        ...(json === undefined ? {} : { json }),
      })
      if (answer.status < 500 || attempt >= 20) return answer
      await sleep(500)
    }
  }

  async function createSchedule(body: Json): Promise<string> {
    const answer = await call('POST', `/task/${taskId}/schedule`, body)
    expect(answer.status, answer.text).toBe(201)
    return idOf(answer)
  }

  async function pause(id: string): Promise<void> {
    const answer = await call('PATCH', `/schedule/${id}`, { enabled: false })
    expect(answer.status, answer.text).toBe(200)
  }

  async function firesOf(id: string): Promise<Fire[]> {
    const answer = await call('GET', `/schedule/${id}/fires?limit=1000`)
    expect(answer.status, answer.text).toBe(200)
    return (answer.json as Fire[]).slice().reverse()
  }

  beforeAll(async () => {
    platform = await startInProcessPlatform({ schedulerProcesses: 2 })
    const { call: gateway, customer, adminToken, botId } = platform
    const script = await expectStatus(gateway, 201, 'POST', `/${customer}/script`, {
      token: adminToken,
      json: { filename: 'tick.sh', content: '#!/bin/sh\necho tick\n' },
    })
    const task = await expectStatus(gateway, 201, 'POST', `/${customer}/task`, {
      token: adminToken,
      json: { name: 'tick', host_id: botId, script_id: idOf(script) },
    })
    taskId = idOf(task)
  }, 240_000)

  afterAll(async () => {
    await platform?.stop()
  }, 60_000)

  it('fires a per-second schedule exactly once per second across two replica processes, one SIGKILLed mid-run', async () => {
    const second = platform.schedulerProcesses[1]!
    const id = await createSchedule({ cron: '* * * * * *', overlap: 'allow_all' })
    await sleep(3_000)
    await second.kill()
    await sleep(4_000)
    await pause(id)
    const fires = await firesOf(id)
    const times = fires.map((fire) => Date.parse(fire.scheduled_for))
    expect(fires.length).toBeGreaterThanOrEqual(5)
    expect(new Set(times).size).toBe(times.length)
    // One fire per second, none skipped, none twice: a replica killed half-way through a fire
    // committed nothing, and the other took that second within the catch-up window.
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(1000)
    expect(fires.every((fire) => fire.outcome === 'started' && fire.kind === 'schedule')).toBe(true)
    expect(new Set(fires.map((fire) => fire.job_id)).size).toBe(fires.length)
  }, 90_000)

  it('after every replica was down longer than catchup_window: the passed seconds recorded missed, the latest started once as the catch-up', async () => {
    const replicas = platform.schedulerProcesses
    const first = replicas[0]!
    const id = await createSchedule({ cron: '* * * * * *', overlap: 'allow_all', catchup_window: 1 })
    await sleep(2_500)
    for (const replica of replicas) await replica.kill()
    const downAt = Date.now()
    await sleep(6_000)
    await first.start()
    await sleep(2_500)
    await pause(id)
    const fires = await firesOf(id)
    const times = fires.map((fire) => Date.parse(fire.scheduled_for))
    // Every second is accounted for, once: started before, missed while down, started after.
    expect(new Set(times).size).toBe(times.length)
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(1000)
    const outcomes = fires.map((fire) => fire.outcome)
    const firstMissed = outcomes.indexOf('missed')
    const lastMissed = outcomes.lastIndexOf('missed')
    expect(firstMissed).toBeGreaterThan(0)
    expect(lastMissed - firstMissed + 1).toBeGreaterThanOrEqual(3)
    expect(outcomes.slice(0, firstMissed).every((outcome) => outcome === 'started')).toBe(true)
    expect(outcomes.slice(firstMissed, lastMissed + 1).every((outcome) => outcome === 'missed')).toBe(true)
    for (const fire of fires.slice(firstMissed, lastMissed + 1)) {
      expect(fire.job_id).toBeNull()
      expect(fire.reason).toMatch(/not running/)
    }
    // The one catch-up fire: the latest time that passed while down, started when the replica came back.
    const catchUp = fires[lastMissed + 1]
    expect(catchUp).toMatchObject({ outcome: 'started', kind: 'schedule' })
    expect(Date.parse(catchUp!.scheduled_for)).toBeGreaterThan(downAt)
    expect(outcomes.slice(lastMissed + 1).every((outcome) => outcome === 'started')).toBe(true)
  }, 120_000)
})
