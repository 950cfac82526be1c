import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { formatLogLine, LineTail } from './log-lines.js'
import type { Supervised } from './supervisor.js'

export interface ServiceProcessOptions {
  name: string
  command: string
  args: string[]
  cwd: string
  env: NodeJS.ProcessEnv
  log(line: string): void
  color?: boolean
}

/** What tells that a process is ready: its `/readyz` answers 200, or it writes a given log message. */
export type Readiness = { healthPort: number } | { logMessage: string }

const live = new Set<ChildProcess>()
let exitHookInstalled = false

/** Last resort when the platform process exits without stopping: kill every child group it started. */
function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const child of live) {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL')
        } catch {
          // Already gone.
        }
      }
    }
  })
}

function groupSignal(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // Already gone.
  }
}

function logMessageOf(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined
  try {
    const parsed = JSON.parse(line) as { msg?: unknown }
    return typeof parsed.msg === 'string' ? parsed.msg : undefined
  } catch {
    return undefined
  }
}

/**
 * One platform process (a service or the bot), in a process group of its own so that the terminal's
 * Ctrl-C reaches only the platform, which then stops its children in order. Its output is forwarded
 * line by line, formatted and prefixed with its name.
 */
export class ServiceProcess {
  readonly tail = new LineTail()
  private child: ChildProcess | undefined
  private exit: Promise<string> = Promise.resolve('not started')
  private readonly messageWaiters = new Set<{ message: string; resolve: () => void }>()

  constructor(private readonly options: ServiceProcessOptions) {}

  get name(): string {
    return this.options.name
  }

  get process(): ChildProcess | undefined {
    return this.child
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
  }

  start(): ChildProcess {
    installExitHook()
    const { name, command, args, cwd, env } = this.options
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    this.child = child
    live.add(child)
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child)
        const how = code === null ? String(signal) : `code ${code}`
        this.note(`exited (${how})`)
        resolve(how)
      })
      child.once('error', (error) => {
        live.delete(child)
        this.note(`cannot start: ${error.message}`)
        resolve(`cannot start: ${error.message}`)
      })
    })
    for (const stream of [child.stdout, child.stderr]) {
      if (stream === null) continue
      createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
        this.tail.push(line)
        this.options.log(formatLogLine(name, line, this.options.color))
        const message = logMessageOf(line)
        if (message === undefined) return
        for (const waiter of this.messageWaiters) if (waiter.message === message) waiter.resolve()
      })
    }
    return child
  }

  /** Our own line among the process's, in its log format, so that it shows when it happened. */
  private note(message: string): void {
    this.tail.push(JSON.stringify({ level: 40, time: Date.now(), msg: message }))
  }

  /** Resolves when the latest run has ended (at once if it has), saying how: `SIGKILL`, `code 1`. */
  exited(): Promise<string> {
    return this.exit
  }

  /**
   * Waits until the process is ready; fails at once when it exits or `signal` is aborted, and after
   * `timeoutMs` otherwise.
   */
  async waitReady(readiness: Readiness, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const child = this.child
    if (child === undefined) throw new Error(`${this.name} was not started`)
    let settled = false
    let timer: NodeJS.Timeout | undefined
    const exited = this.exit.then(() => {
      if (!settled) throw new Error(`${this.name} exited before it was ready`)
    })
    let abandon: (() => void) | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.name} not ready after ${timeoutMs / 1000}s`)),
        timeoutMs,
      )
      abandon = () => reject(new Error(`${this.name}: waiting until it is ready was abandoned`))
      if (signal?.aborted) abandon()
      else signal?.addEventListener('abort', abandon, { once: true })
    })
    const ready =
      'healthPort' in readiness
        ? this.pollReady(readiness.healthPort, () => settled)
        : this.logged(readiness.logMessage)
    try {
      await Promise.race([ready, exited, timeout])
    } catch (error) {
      throw new Error(`${(error as Error).message}; its last lines:\n${this.tail}`)
    } finally {
      settled = true
      clearTimeout(timer)
      if (abandon !== undefined) signal?.removeEventListener('abort', abandon)
    }
  }

  private logged(message: string): Promise<void> {
    return new Promise((resolve) => {
      const waiter = {
        message,
        resolve: () => {
          this.messageWaiters.delete(waiter)
          resolve()
        },
      }
      this.messageWaiters.add(waiter)
    })
  }

  private async pollReady(port: number, stop: () => boolean): Promise<void> {
    while (!stop()) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) })
        await response.body?.cancel()
        if (response.status === 200) return
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }

  /** SIGTERM to its group, SIGKILL after `graceMs`; resolves once it exited. */
  async stop(graceMs: number): Promise<void> {
    const child = this.child
    if (child === undefined || !this.running) return
    groupSignal(child, 'SIGTERM')
    const timer = setTimeout(() => {
      this.options.log(
        formatLogLine(this.name, `still running after ${graceMs / 1000}s: SIGKILL`, this.options.color),
      )
      groupSignal(child, 'SIGKILL')
    }, graceMs)
    try {
      await this.exit
    } finally {
      clearTimeout(timer)
    }
    // Whatever the service itself started in its group goes with it.
    groupSignal(child, 'SIGKILL')
  }

  /** SIGKILL, as a crash would (fault tests). */
  async kill(): Promise<void> {
    const child = this.child
    if (child === undefined || !this.running) return
    groupSignal(child, 'SIGKILL')
    await this.exit
  }
}

export interface SupervisedProcessOptions {
  readiness: Readiness
  /** A run not ready by then is killed, and counts as an exit. */
  readyTimeoutMs: number
  /** Between SIGTERM and SIGKILL when it is stopped. */
  stopGraceMs: number
  /** Told of each run's child process as it starts. */
  onStart?(child: ChildProcess): void
}

/** A service or the bot as its {@link Supervisor} sees it. */
export function supervisedProcess(service: ServiceProcess, options: SupervisedProcessOptions): Supervised {
  return {
    name: service.name,
    async start(signal) {
      signal.throwIfAborted()
      const child = service.start()
      options.onStart?.(child)
      try {
        await service.waitReady(options.readiness, options.readyTimeoutMs, signal)
      } catch (error) {
        // A run that did not get ready in time is ended here; an abandoned one is the caller's.
        if (!signal.aborted) await service.kill()
        throw error
      }
    },
    exited: () => service.exited(),
    stop: () => service.stop(options.stopGraceMs),
    kill: () => service.kill(),
    lastLines: () => service.tail.all(),
  }
}
