import { parseArgs } from 'node:util'

export const CASE_IDS = [
  'floor.jetstream',
  'floor.postgres',
  'floor.spawn',
  'peer.graphile-worker',
  'peer.pg-boss',
  'peer.bullmq',
  'peer.graphile-worker.spawn',
  'peer.pg-boss.spawn',
  'peer.bullmq.spawn',
  'ours.rebuild',
  'ours.jobs',
  'ours.path',
  'ours.gateway',
  'ours.webhooks',
  'ours.console',
  'ours.schedules',
] as const
export type CaseId = (typeof CASE_IDS)[number]

export interface BenchOptions {
  repetitions: number
  quick: boolean
  /** Profile the platform's processes (`--cpu-prof`) during one extra saturation pass. */
  profile: boolean
  only: Set<CaseId>
  /** Only write latest.md again from latest.json (after a change of the report's layout). */
  renderOnly: boolean
  /** Bot jobs at once (`--concurrency` of the bot). */
  botConcurrency: number
  outDir: string
}

export const USAGE = `usage: npm run bench -- [--reps N] [--quick] [--profile] [--only id,id] [--bot-concurrency N] [--out dir] [--render-only]

  --reps             repetitions of every measurement (default 3)
  --quick            short passes to try the harness (figures not comparable)
  --profile          also run profiled passes: --cpu-prof on every platform process, pg_stat_statements
  --only             run only these cases: ${CASE_IDS.join(', ')}
  --bot-concurrency  jobs the bot runs at once (default 16)
  --render-only      write latest.md again from latest.json, measuring nothing
  --out              where latest.json and latest.md go (default bench/results)`

export function parseOptions(argv: readonly string[], defaultOutDir: string): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      reps: { type: 'string' },
      quick: { type: 'boolean' },
      profile: { type: 'boolean' },
      'render-only': { type: 'boolean' },
      only: { type: 'string' },
      'bot-concurrency': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  })
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  const repetitions = Number(values.reps ?? 3)
  const botConcurrency = Number(values['bot-concurrency'] ?? 16)
  if (!Number.isInteger(repetitions) || repetitions < 1) throw new Error(`--reps must be a positive integer`)
  if (!Number.isInteger(botConcurrency) || botConcurrency < 1)
    throw new Error(`--bot-concurrency must be a positive integer`)
  const only = new Set<CaseId>()
  for (const id of (values.only ?? CASE_IDS.join(',')).split(',').map((part) => part.trim())) {
    const known = CASE_IDS.find((candidate) => candidate === id)
    if (known === undefined) throw new Error(`unknown case ${id}; known: ${CASE_IDS.join(', ')}`)
    only.add(known)
  }
  return {
    repetitions,
    quick: values.quick ?? false,
    profile: values.profile ?? false,
    renderOnly: values['render-only'] ?? false,
    only,
    botConcurrency,
    outDir: values.out ?? defaultOutDir,
  }
}
