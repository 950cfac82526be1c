// `npm run bench`: every measurement of docs/benchmarks.md in one run, written to
// bench/results/latest.json and latest.md.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startPostgres } from '@taskforge/testkit'
import pg from 'pg'
import { startBenchPlatform } from './cases/bench-platform.js'
import { type CaseContext, skippedCase } from './cases/case.js'
import { floorJetStream } from './cases/floor-jetstream.js'
import { floorPostgres } from './cases/floor-postgres.js'
import { floorSpawn } from './cases/floor-spawn.js'
import { oursConsole } from './cases/ours-console.js'
import { oursGateway } from './cases/ours-gateway.js'
import { LOW_RATE, oursJobs } from './cases/ours-jobs.js'
import { oursPath } from './cases/ours-path.js'
import { profileOurs } from './cases/ours-profile.js'
import { oursSchedules } from './cases/ours-schedules.js'
import { oursWebhooks } from './cases/ours-webhooks.js'
import { projectionRebuild } from './cases/projection-rebuild.js'
import { wallClockMs } from './lib/clock.js'
import { machineInfo } from './lib/machine.js'
import { findRedisServer, startRedis } from './lib/redis-server.js'
import { type CaseId, parseOptions, USAGE } from './options.js'
import { type PeerHandler, type PeerLoad, peerCase } from './peers/peer-case.js'
import { renderMarkdown } from './results/markdown.js'
import type { BenchResults, CaseResult } from './results/model.js'
import { evaluateTargets } from './results/targets.js'

const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..')

function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`)
}

async function serverSettings(url: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const settings: Record<string, string> = {}
    for (const name of ['fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers']) {
      const { rows } = await client.query<Record<string, string>>(`SHOW ${name}`)
      settings[`postgres.${name}`] = rows[0]?.[name] ?? 'unknown'
    }
    return settings
  } finally {
    await client.end()
  }
}

async function main(): Promise<void> {
  // Ctrl-C: exit through the exit hooks that stop Postgres, nats-server, redis-server and the platform.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))
  const options = parseOptions(process.argv.slice(2), join(BENCH_DIR, 'results'))
  if (options.renderOnly) {
    const saved = JSON.parse(await readFile(join(options.outDir, 'latest.json'), 'utf8')) as BenchResults
    await writeFile(join(options.outDir, 'latest.md'), renderMarkdown(saved))
    log(`rewrote ${join(options.outDir, 'latest.md')}`)
    return
  }
  // The libraries the bench loads in-process (event store, peers) log little at this level.
  process.env.LOG_LEVEL ??= 'warn'
  const started = wallClockMs()
  const startedAt = new Date().toISOString()
  const ctx: CaseContext = { repetitions: options.repetitions, quick: options.quick, log }
  const wanted = (id: CaseId) => options.only.has(id)
  const cases: CaseResult[] = []
  const run = async (
    id: CaseId,
    title: string,
    group: CaseResult['group'],
    fn: () => Promise<CaseResult>,
  ) => {
    if (!wanted(id)) return
    log(title)
    try {
      cases.push(await fn())
    } catch (error) {
      log(`${title} failed: ${(error as Error).stack ?? String(error)}`)
      cases.push(skippedCase(id, title, group, `failed: ${(error as Error).message.split('\n')[0]}`))
    }
  }
  const peerLoad: PeerLoad = {
    rate: 100,
    latencyJobs: options.quick ? 200 : 500,
    throughputJobs: options.quick ? 2_000 : 6_000,
    producers: 16,
    concurrency: 16,
  }
  /**
   * Peers whose handler spawns the job's script as the bot does: latency at the rate our job path's
   * script start is held to, throughput in scripts the machine can run (the spawn floor's order).
   */
  const spawnLoad: PeerLoad = {
    rate: LOW_RATE,
    latencyJobs: options.quick ? 40 : 100,
    throughputJobs: options.quick ? 1_000 : 3_000,
    producers: 16,
    concurrency: 16,
  }
  const redisBinary = findRedisServer()
  if (redisBinary === undefined && (wanted('peer.bullmq') || wanted('peer.bullmq.spawn'))) {
    log('redis-server is not installed (Debian package redis-server): BullMQ will be skipped')
  }

  log('starting Postgres for the floors, the peers and the rebuild')
  const postgres = await startPostgres()
  let machine: BenchResults['machine']
  let settings: BenchResults['settings']
  try {
    machine = await machineInfo(postgres.url)
    settings = {
      ...(await serverSettings(postgres.url)),
      botConcurrency: options.botConcurrency,
      peerConcurrency: peerLoad.concurrency,
      quick: options.quick,
    }
    log(
      `machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}`,
    )
    await run('floor.jetstream', 'Floor: bare JetStream publish → pull consume', 'floor', () =>
      floorJetStream(ctx),
    )
    await run('floor.postgres', 'Floor: bare Postgres commit', 'floor', async () =>
      floorPostgres(ctx, await postgres.createDatabase('bench_floor')),
    )
    await run('floor.spawn', 'Floor: bare spawn of the marker script', 'floor', () => floorSpawn(ctx))
    await run('peer.graphile-worker', 'Graphile Worker', 'peer', async () =>
      peerCase(
        ctx,
        'graphile-worker',
        { kind: 'postgres', url: await postgres.createDatabase('bench_graphile') },
        peerLoad,
      ),
    )
    await run('peer.pg-boss', 'pg-boss', 'peer', async () =>
      peerCase(
        ctx,
        'pg-boss',
        { kind: 'postgres', url: await postgres.createDatabase('bench_pgboss') },
        peerLoad,
      ),
    )
    await run('peer.graphile-worker.spawn', 'Graphile Worker + spawn', 'peer', async () =>
      peerCase(
        ctx,
        'graphile-worker',
        { kind: 'postgres', url: await postgres.createDatabase('bench_graphile_spawn') },
        spawnLoad,
        'spawn',
      ),
    )
    await run('peer.pg-boss.spawn', 'pg-boss + spawn', 'peer', async () =>
      peerCase(
        ctx,
        'pg-boss',
        { kind: 'postgres', url: await postgres.createDatabase('bench_pgboss_spawn') },
        spawnLoad,
        'spawn',
      ),
    )
    await run('ours.rebuild', 'Projection rebuild', 'ours', async () =>
      projectionRebuild(ctx, await postgres.createDatabase('bench_rebuild')),
    )
  } finally {
    await postgres.stop()
  }
  const bullmqCase = (id: CaseId, title: string, load: PeerLoad, handler: PeerHandler) =>
    run(id, title, 'peer', async () => {
      if (redisBinary === undefined) {
        return skippedCase(id, title, 'peer', 'redis-server is not installed (Debian package redis-server)')
      }
      const redis = await startRedis(redisBinary)
      try {
        return await peerCase(
          ctx,
          'bullmq',
          { kind: 'redis', host: redis.host, port: redis.port },
          load,
          handler,
        )
      } finally {
        await redis.stop()
      }
    })
  await bullmqCase(
    'peer.bullmq',
    'BullMQ',
    { ...peerLoad, throughputJobs: options.quick ? 5_000 : 20_000 },
    'call',
  )
  await bullmqCase('peer.bullmq.spawn', 'BullMQ + spawn', spawnLoad, 'spawn')

  if ((['ours.jobs', 'ours.gateway', 'ours.webhooks'] as const).some(wanted)) {
    log(`starting the platform (bot concurrency ${options.botConcurrency})`)
    const bp = await startBenchPlatform({ botConcurrency: options.botConcurrency, log })
    try {
      // Webhooks first: their subscriptions are deleted after, so the job path runs without them.
      await run('ours.webhooks', 'Webhook relay deliveries', 'ours', () => oursWebhooks(ctx, bp))
      await run('ours.jobs', 'Taskforge job path', 'ours', () => oursJobs(ctx, bp))
      await run('ours.gateway', 'Gateway GET /:customer/task vs bare fastify', 'ours', () =>
        oursGateway(ctx, bp),
      )
    } finally {
      await bp.stop()
    }
  }

  // Its own platform: every process exports its spans, which costs a little on every hop.
  await run('ours.path', "One job's path, hop by hop", 'ours', () => oursPath(ctx, options.botConcurrency))
  // Its own platform: 10,000 queued jobs and a 200,000-line log would weigh on the job path's figures.
  await run('ours.console', 'Web console budgets', 'ours', () => oursConsole(ctx))
  // Its own platform too: 1,000 schedules firing all the time would weigh on every other figure.
  await run('ours.schedules', 'Schedule fire lag', 'ours', () => oursSchedules(ctx, options.botConcurrency))

  const results: BenchResults = {
    startedAt,
    durationS: 0,
    repetitions: options.repetitions,
    machine,
    settings,
    cases,
    targets: evaluateTargets(cases),
    profiles: [],
  }
  if (options.profile) {
    log('profiling the platform: one webhook pass, one sustained pass and one gateway pass')
    const profiled = await profileOurs(ctx, {
      botConcurrency: options.botConcurrency,
      outDir: options.outDir,
    })
    results.profiles = profiled.profiles
    results.statements = profiled.statements
    results.settings.profiledPass = `${profiled.jobs} runs at ${Math.round(profiled.rate)} jobs/s while profiled`
  }
  results.durationS = Math.round((wallClockMs() - started) / 1000)
  await mkdir(options.outDir, { recursive: true })
  await writeFile(join(options.outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`)
  await writeFile(join(options.outDir, 'latest.md'), renderMarkdown(results))
  for (const target of results.targets) {
    const figure =
      target.status === 'n/a'
        ? (target.note ?? 'not measured')
        : `${target.value} ${target.unit} (bound ${target.bound})`
    log(`target ${target.status.padEnd(4)} ${target.description}: ${figure}`)
  }
  log(`results in ${join(options.outDir, 'latest.md')} and latest.json (${results.durationS} s)`)
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error((error as Error).stack ?? String(error))
    if ((error as Error).message.startsWith('--')) console.error(`\n${USAGE}`)
    process.exit(1)
  },
)
