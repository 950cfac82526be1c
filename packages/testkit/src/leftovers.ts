import { readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { debugLog } from './debug.js'
import { waitUntil } from './wait-until.js'

/** Prefixes of the throwaway directories local servers run in, under the OS temp dir. */
export const POSTGRES_DIR_PREFIX = 'taskforge-postgres-'
export const NATS_DIR_PREFIX = 'taskforge-nats-'
const THROWAWAY_PREFIXES = [POSTGRES_DIR_PREFIX, NATS_DIR_PREFIX]

/** A directory without a server that is older than this belongs to a run that died. */
const ABANDONED_AFTER_MS = 10 * 60_000

interface ServerProcess {
  pid: number
  parent: number
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Local server processes by the throwaway directory in their command line (Linux /proc). */
async function serversByDirectory(root: string): Promise<Map<string, ServerProcess[]>> {
  const found = new Map<string, ServerProcess[]>()
  const pattern = new RegExp(
    `^${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(${THROWAWAY_PREFIXES.join('|')})[^/]+`,
  )
  for (const entry of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const args = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0')
      const dir = args.map((arg) => pattern.exec(arg)?.[0]).find((match) => match !== undefined)
      if (dir === undefined) continue
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8')
      const parent = Number.parseInt(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '', 10)
      found.set(dir, [...(found.get(dir) ?? []), { pid: Number(entry), parent }])
    } catch {
      // The process ended while we looked.
    }
  }
  return found
}

async function sweep(): Promise<void> {
  const root = tmpdir()
  const servers = await serversByDirectory(root)
  for (const name of await readdir(root)) {
    if (!THROWAWAY_PREFIXES.some((prefix) => name.startsWith(prefix))) continue
    const dir = join(root, name)
    const running = servers.get(dir) ?? []
    if (running.length > 0) {
      // Adopted by init: the run that started them is gone. Anything else is a live run's server.
      if (running.some((server) => server.parent !== 1)) continue
      debugLog('leftovers', `stopping servers left in ${dir}`)
      // SIGQUIT makes a postmaster take its backends down with it; nats-server stops on SIGTERM.
      const signal = name.startsWith(POSTGRES_DIR_PREFIX) ? 'SIGQUIT' : 'SIGTERM'
      for (const server of running) process.kill(server.pid, signal)
      const stopped = () => running.every((server) => !alive(server.pid))
      await waitUntil(stopped, { timeoutMs: 10_000 }).catch(() => {
        for (const server of running) if (alive(server.pid)) process.kill(server.pid, 'SIGKILL')
      })
    } else if (Date.now() - (await stat(dir)).mtimeMs < ABANDONED_AFTER_MS) {
      continue
    }
    debugLog('leftovers', `removing ${dir}`)
    await rm(dir, { recursive: true, force: true })
  }
}

let swept = false

/**
 * Once per process, in the background: stops servers whose test run died (SIGKILL, OOM) without
 * stopping them, and removes their throwaway directories.
 */
export function sweepLeftovers(): void {
  if (swept) return
  swept = true
  sweep().catch((error: unknown) => debugLog('leftovers', `sweep failed: ${String(error)}`))
}
