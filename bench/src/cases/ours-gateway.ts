import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { JsonClient, stringField } from '../lib/json-client.js'
import { forkTs, nextMessage, stopChild } from '../lib/node-child.js'
import type { CaseResult } from '../results/model.js'
import { Series } from '../results/series.js'
import type { BenchPlatform } from './bench-platform.js'
import type { CaseContext } from './case.js'

const CONNECTIONS = 16
const TASKS = 10

async function hammer(url: string, headers: Record<string, string>, seconds: number) {
  const result = await autocannon({
    url,
    headers,
    connections: CONNECTIONS,
    duration: seconds,
    pipelining: 1,
  })
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} answers other than 2xx`)
  }
  return { rate: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 }
}

/**
 * `GET /:customer/task` through the gateway (token check, gRPC to task-catalog, its read model) against
 * a bare fastify route answering the same JSON from memory, both hammered by autocannon.
 */
export async function oursGateway(ctx: CaseContext, bp: BenchPlatform): Promise<CaseResult> {
  const seconds = ctx.quick ? 3 : 8
  const series = new Series()
    .declare('gateway.rate', `gateway GET /:customer/task (${TASKS} tasks)`, 'rate', 'req/s')
    .declare('gateway.p50', 'gateway GET /:customer/task p50', 'latency-p50')
    .declare('gateway.p99', 'gateway GET /:customer/task p99', 'latency-p99')
    .declare('bare.rate', 'bare fastify route, same JSON from memory', 'rate', 'req/s')
    .declare('bare.p50', 'bare fastify route p50', 'latency-p50')
    .declare('bare.p99', 'bare fastify route p99', 'latency-p99')
  // An organization of its own, so the list holds exactly the tasks made here.
  const gatewayUrl = bp.platform.credentials.gateway_url
  const root = new JsonClient(gatewayUrl, bp.platform.rootToken)
  const org = await root.expect(201, 'POST', '/admin/customers', { name: 'benchlist' })
  await root.close()
  const token = stringField(org, 'admin_token')
  const admin = new JsonClient(gatewayUrl, token)
  try {
    const bot = await admin.expect(201, 'POST', '/benchlist/bot', { name: 'idle' })
    const script = await admin.expect(201, 'POST', '/benchlist/script', {
      filename: 'list.sh',
      content: '#!/bin/sh\nexit 0\n',
    })
    for (let i = 0; i < TASKS; i++) {
      await admin.expect(201, 'POST', '/benchlist/task', {
        name: `bench list ${i}`,
        host_id: stringField(bot, 'id'),
        script_id: stringField(script, 'id'),
        description: 'a task to list',
        tags: ['bench'],
      })
    }
  } finally {
    await admin.close()
  }
  const listUrl = `${gatewayUrl}/benchlist/task`
  const auth = { authorization: `Bearer ${token}` }
  const listed = await fetch(listUrl, { headers: auth })
  const tasks = (await listed.json()) as unknown
  if (!Array.isArray(tasks) || tasks.length !== TASKS) throw new Error('unexpected task list')
  const payloadFile = join(bp.markDir, '..', 'tasks.json')
  await writeFile(payloadFile, JSON.stringify(tasks))
  const bare = forkTs(new URL('./bare-fastify-main.ts', import.meta.url), [payloadFile])
  try {
    const port = await nextMessage<{ port?: number }, number>(bare, (m) => m.port, 30_000, 'bare fastify')
    const bareUrl = `http://127.0.0.1:${port}/benchlist/task`
    await hammer(listUrl, auth, 1)
    await hammer(bareUrl, {}, 1)
    for (let rep = 0; rep < ctx.repetitions; rep++) {
      const gateway = await hammer(listUrl, auth, seconds)
      series.add('gateway.rate', gateway.rate)
      series.add('gateway.p50', gateway.p50)
      series.add('gateway.p99', gateway.p99)
      const floor = await hammer(bareUrl, {}, seconds)
      series.add('bare.rate', floor.rate)
      series.add('bare.p50', floor.p50)
      series.add('bare.p99', floor.p99)
      ctx.log(
        `gateway ${rep + 1}/${ctx.repetitions}: ${Math.round(gateway.rate)} req/s, bare fastify ${Math.round(floor.rate)} req/s`,
      )
    }
  } finally {
    await stopChild(bare, 'stop', 10_000)
  }
  return {
    id: 'ours.gateway',
    title: 'Gateway GET /:customer/task vs a bare fastify route',
    group: 'ours',
    settings: {
      tool: 'autocannon (in the bench process)',
      connections: CONNECTIONS,
      secondsPerRun: seconds,
      tasks: TASKS,
      auth: 'Bearer admin token of the organization listed',
    },
    metrics: series.metrics(),
  }
}
