import { readdirSync, readFileSync } from 'node:fs'

/** The benchmark's own process: the load generator, or a peer's producer. */
const BENCH_PROCESS = 'bench process (load / enqueue)'
/** The jobs' scripts' own CPU, reaped by the bot (or a peer's worker). */
export const SCRIPTS_PROCESS = 'job scripts (bash)'

/** The processes whose reaped children are the jobs' scripts, by default. */
const BOT_PROCESSES: ReadonlySet<string> = new Set(['bot', 'bot-spawner'])

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100

interface ProcessTimes {
  pid: number
  ppid: number
  comm: string
  /** utime + stime, in ticks. */
  own: number
  /** cutime + cstime: reaped children, in ticks. */
  children: number
}

function readTimes(pid: number): ProcessTimes | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const close = stat.lastIndexOf(')')
    const comm = stat.slice(stat.indexOf('(') + 1, close)
    const fields = stat.slice(close + 2).split(' ')
    const at = (index: number) => Number(fields[index - 3])
    return { pid, ppid: at(4), comm, own: at(14) + at(15), children: at(16) + at(17) }
  } catch {
    return undefined
  }
}

const ticksToMs = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND

/** Milliseconds of CPU this process and the children it reaped have used. */
export function ownCpuMs(): { own: number; children: number } {
  const times = readTimes(globalThis.process.pid)
  if (times === undefined) throw new Error('/proc/self/stat could not be read')
  return { own: ticksToMs(times.own), children: ticksToMs(times.children) }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()
  } catch {
    return ''
  }
}

/** Every process under `root` (itself excluded), from /proc. */
function descendants(root: number): ProcessTimes[] {
  const all: ProcessTimes[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const times = readTimes(Number(entry))
    if (times !== undefined) all.push(times)
  }
  const byParent = new Map<number, ProcessTimes[]>()
  for (const times of all) byParent.set(times.ppid, [...(byParent.get(times.ppid) ?? []), times])
  const found: ProcessTimes[] = []
  const queue = [root]
  while (queue.length > 0) {
    for (const child of byParent.get(queue.shift()!) ?? []) {
      found.push(child)
      queue.push(child.pid)
    }
  }
  return found
}

/** A snapshot of the CPU time of this process's whole tree, by process. */
export interface CpuSnapshot {
  times: Map<number, { name: string; own: number; children: number }>
  bench: number
}

function nameOf(times: ProcessTimes, names: Map<number, string>): string {
  const named = names.get(times.pid)
  if (named !== undefined) return named
  if (times.comm === 'postgres' || times.comm.startsWith('postgres')) {
    const backend = /^postgres: \S+ (\S+) /.exec(commandLine(times.pid))
    return backend ? `postgres (${backend[1]})` : 'postgres (background)'
  }
  if (times.comm.startsWith('nats-server')) return 'nats-server'
  return times.comm
}

export function cpuSnapshot(names: Map<string, number>): CpuSnapshot {
  const byPid = new Map([...names].map(([name, pid]) => [pid, name]))
  const times = new Map<number, { name: string; own: number; children: number }>()
  for (const process of descendants(globalThis.process.pid)) {
    times.set(process.pid, { name: nameOf(process, byPid), own: process.own, children: process.children })
  }
  const usage = globalThis.process.cpuUsage()
  return { times, bench: (usage.user + usage.system) / 1000 }
}

/**
 * CPU milliseconds spent per unit of work between two snapshots, by process name; the reaped
 * children of `scriptParents` (the bot and its spawner unless told: the jobs' scripts) and the
 * benchmark's own load generator apart. Processes that ended in between are not counted.
 */
export function cpuPerUnit(
  before: CpuSnapshot,
  after: CpuSnapshot,
  units: number,
  scriptParents: ReadonlySet<string> = BOT_PROCESSES,
): Record<string, number> {
  const totals = new Map<string, number>()
  const add = (name: string, ms: number) => totals.set(name, (totals.get(name) ?? 0) + ms)
  for (const [pid, now] of after.times) {
    const then = before.times.get(pid) ?? { own: 0, children: 0 }
    add(now.name, ticksToMs(now.own - then.own))
    if (scriptParents.has(now.name)) add(SCRIPTS_PROCESS, ticksToMs(now.children - then.children))
  }
  add(BENCH_PROCESS, after.bench - before.bench)
  const perUnit: Record<string, number> = {}
  const sorted = [...totals].filter(([, ms]) => ms > 0).sort((a, b) => b[1] - a[1])
  for (const [name, ms] of sorted) perUnit[name] = Math.round((ms / units) * 100) / 100
  perUnit.total = Math.round((sorted.reduce((sum, [, ms]) => sum + ms, 0) / units) * 100) / 100
  return perUnit
}

/** CPU per unit in every process but the jobs' scripts: the figure compared across job runners. */
export function cpuWithoutScripts(perUnit: Record<string, number>): number {
  return Math.round(((perUnit.total ?? 0) - (perUnit[SCRIPTS_PROCESS] ?? 0)) * 100) / 100
}
