import { spawn } from 'node:child_process'

/** How the bot's spawner ends a script, for the bench's own spawns (floor and peers-with-spawn). */
export interface SpawnScriptOptions {
  env: Record<string, string | undefined>
  /** Time the script may run before its group gets SIGTERM (the bot's default: 600 s). */
  timeoutMs: number
  /** Time between SIGTERM and SIGKILL of the group (the bot's default: 5 s). */
  killGraceMs: number
  /** Output bytes (both streams together) kept; past them, only counted. */
  outputLimitBytes: number
}

export interface ScriptEnd {
  code: number | null
  signal: NodeJS.Signals | null
  /** The signal the timeout sent last, if it fired. */
  sent?: 'SIGTERM' | 'SIGKILL'
  output: Buffer
  droppedBytes: number
}

export const BOT_SPAWN_DEFAULTS = {
  timeoutMs: 600_000,
  killGraceMs: 5_000,
  outputLimitBytes: 1024 * 1024,
} as const satisfies Omit<SpawnScriptOptions, 'env'>

/** Signals a process group; false once none of it is left. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false
    if (signal === 0 && (error as NodeJS.ErrnoException).code === 'EPERM') return true
    throw error
  }
}

/**
 * Runs a script as the bot's spawner does (services/bot/src/execution/spawner-main.mjs and
 * script-process.ts): no shell, the leader of a new process group (`detached`), stdout and stderr
 * piped and kept up to a limit, a timeout that sends SIGTERM to the whole group and SIGKILL after
 * the grace, and once the leader exited a SIGKILL to whatever it left in its group. Answers once the
 * output pipes closed.
 */
export function spawnScript(command: string, options: SpawnScriptOptions): Promise<ScriptEnd> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [], {
      detached: true,
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env,
    })
    const pieces: Buffer[] = []
    let room = options.outputLimitBytes
    let droppedBytes = 0
    const keep = (chunk: Buffer) => {
      const take = Math.min(room, chunk.length)
      droppedBytes += chunk.length - take
      room -= take
      if (take > 0) pieces.push(take === chunk.length ? chunk : chunk.subarray(0, take))
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    let sent: ScriptEnd['sent']
    let exited = false
    let killTimer: NodeJS.Timeout | undefined
    const timeoutTimer = setTimeout(() => {
      const pid = child.pid
      if (pid === undefined || exited) return
      sent = 'SIGTERM'
      signalGroup(pid, 'SIGTERM')
      killTimer = setTimeout(() => {
        if (exited) return
        sent = 'SIGKILL'
        signalGroup(pid, 'SIGKILL')
      }, options.killGraceMs)
    }, options.timeoutMs)
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
    child.once('error', (error) => {
      clearTimeout(timeoutTimer)
      clearTimeout(killTimer)
      reject(error)
    })
    child.once('exit', (code, signal) => {
      exited = true
      exit = { code, signal }
      clearTimeout(timeoutTimer)
      clearTimeout(killTimer)
      const pid = child.pid
      if (pid !== undefined && signalGroup(pid, 0)) signalGroup(pid, 'SIGKILL')
    })
    child.once('close', (code, signal) => {
      const end = exit ?? { code, signal }
      resolve({
        ...end,
        ...(sent === undefined ? {} : { sent }),
        output: Buffer.concat(pieces),
        droppedBytes,
      })
    })
  })
}
