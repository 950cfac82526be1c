import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ProfileSummary } from '../results/model.js'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}
interface ProfileNode {
  id: number
  callFrame: CallFrame
}
interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

/** Monotonic microseconds: the clock V8 stamps profile samples with (CLOCK_MONOTONIC, as hrtime). */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n)
}

const IDLE = new Set(['(idle)'])

/** A stretch of a run to cut profiles to (monotonic µs), and the processes it concerns (all when absent). */
export interface ProfileWindow {
  pass: string
  from: number
  to: number
  processes?: string[]
}

/** Where a frame's code comes from: a package, one of ours, or Node itself. */
export function moduleOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)'
  if (url.startsWith('node:')) return 'node:internal'
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pnpm) return pnpm[1]!
  const plain = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (plain) return plain[1]!
  const ours = /\/((?:services|packages|proto|scripts)\/[^/]+)\//.exec(url)
  if (ours) return ours[1]!
  return url
}

function frameName(frame: CallFrame): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName
  if (frame.url === '') return name
  const short = frame.url
    .replace(/^file:\/\//, '')
    .replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '')
    .replace(/^.*\/((?:services|packages|proto|scripts)\/)/, '$1')
  return `${name} ${short}:${frame.lineNumber + 1}`
}

function top(map: Map<string, number>, total: number, count: number) {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, micros]) => ({ key, selfPercent: Math.round((micros / total) * 1000) / 10 }))
}

/**
 * Self time by frame and by module of one CPU profile, counting only the samples inside `window`
 * (monotonic µs), so start-up and shutdown do not blur the load. Percentages are of the time
 * the process was busy.
 */
export function summarizeProfile(
  profile: CpuProfile,
  process: string,
  file: string,
  window: ProfileWindow,
): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]))
  const byFrame = new Map<string, number>()
  const byModule = new Map<string, number>()
  let at = profile.startTime
  let total = 0
  let busy = 0
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0
    at += delta
    if (at < window.from || at > window.to) continue
    const frame = nodes.get(profile.samples[i]!)
    if (frame === undefined) continue
    total += delta
    if (IDLE.has(frame.functionName)) continue
    busy += delta
    const name = frameName(frame)
    byFrame.set(name, (byFrame.get(name) ?? 0) + delta)
    const module = moduleOf(frame.url, frame.functionName)
    byModule.set(module, (byModule.get(module) ?? 0) + delta)
  }
  return {
    pass: window.pass,
    process,
    file,
    busyPercent: total === 0 ? 0 : Math.round((busy / total) * 1000) / 10,
    totalMs: Math.round(total / 1000),
    topFrames: top(byFrame, busy, 15).map(({ key, selfPercent }) => ({ frame: key, selfPercent })),
    topModules: top(byModule, busy, 10).map(({ key, selfPercent }) => ({ module: key, selfPercent })),
  }
}

/**
 * Summaries of the profiles in `dir` (`profile-<pid>.cpuprofile`, see profiling/cpu-profiler.mjs),
 * named after the processes whose pids are given.
 */
export async function summarizeProfiles(
  dir: string,
  pids: Map<string, number>,
  windows: readonly ProfileWindow[],
): Promise<ProfileSummary[]> {
  const names = new Map([...pids].map(([name, pid]) => [pid, name]))
  const summaries: ProfileSummary[] = []
  for (const file of (await readdir(dir)).sort()) {
    const match = /^profile-(\d+)\.cpuprofile$/.exec(file)
    if (match === null) continue
    const name = names.get(Number(match[1]))
    if (name === undefined) continue
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile
    for (const window of windows) {
      if (window.processes === undefined || window.processes.includes(name))
        summaries.push(summarizeProfile(profile, name, file, window))
    }
  }
  return summaries.sort((a, b) => a.pass.localeCompare(b.pass) || b.busyPercent - a.busyPercent)
}
