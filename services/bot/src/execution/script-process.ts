import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process'
import { decideOutcome, type ExecutionOutcome, type Termination } from './outcome.js'
import { DEFAULT_OUTPUT_LIMIT_BYTES, OutputCapture, type OutputStream } from './output-capture.js'
import { groupAlive, signalGroup } from './process-group.js'

export interface ScriptProcessOptions {
  argv: readonly string[]
  cwd: string
  env: Record<string, string>
  /** Time the script may run before its group gets SIGTERM. */
  timeoutMs: number
  /** Time between SIGTERM and SIGKILL of the group, on timeout or abort. */
  killGraceMs: number
  outputLimitBytes?: number
  /** Receives the captured text as it arrives (nothing past the capture limit). */
  onOutput?(stream: OutputStream, text: string): void
  /**
   * After the script exited and its group was killed, how long to wait for the output pipes to close.
   * Only a descendant that left the group (setsid) can hold them longer; the bot then stops reading.
   */
  pipeCloseWaitMs?: number
}

/** A running script: its process group leader's pid, its outcome once it ended, and a way to stop it. */
export interface ScriptProcess {
  readonly pid: number | undefined
  readonly done: Promise<ExecutionOutcome>
  /** Ends the script (SIGTERM to its group, SIGKILL after the grace period); the job ends in error. */
  abort(reason: string): void
  /** Ends the script the same way; the job ends canceled. */
  cancel(reason: string): void
}

/** Tries after ETXTBSY, and the first wait (it grows by as much each time). */
const BUSY_RETRIES = 5
const BUSY_WAIT_MS = 2

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/**
 * `spawn`, tried again when the kernel answers ETXTBSY: a process this bot forked for another job
 * holds a copy of the script's (close-on-exec) write descriptor until it runs exec itself, which
 * takes a moment on a busy machine. The wait blocks, but only in that rare case, and keeps the pid
 * known at once to the caller (journal, `started` report).
 */
function spawnScript(command: string, args: string[], options: SpawnOptions): ChildProcess {
  for (let attempt = 1; ; attempt++) {
    try {
      return spawn(command, args, options)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ETXTBSY' || attempt > BUSY_RETRIES) throw error
      pause(BUSY_WAIT_MS * attempt)
    }
  }
}

function describeSpawnError(argv: readonly string[], error: unknown): string {
  const err = error as NodeJS.ErrnoException
  const command = argv[0] ?? ''
  switch (err.code) {
    case 'ENOENT':
      return `cannot run ${command}: no such file or command (ENOENT)`
    case 'EACCES':
      return `cannot run ${command}: permission denied (EACCES)`
    default:
      return `cannot run ${command}: ${err.message ?? String(error)}`
  }
}

/**
 * Starts a job's script without a shell, as the leader of a new process group, and watches it:
 * output captured up to a limit, a timeout that signals the whole group, and after the leader
 * exits, a SIGKILL to whatever it left behind in its group, so no process of a job outlives it.
 */
export function startScript(options: ScriptProcessOptions): ScriptProcess {
  const capture = new OutputCapture(options.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES)
  let resolveDone: (outcome: ExecutionOutcome) => void = () => {}
  const done = new Promise<ExecutionOutcome>((resolve) => {
    resolveDone = resolve
  })
  let finished = false
  let timeoutTimer: NodeJS.Timeout | undefined
  let killTimer: NodeJS.Timeout | undefined
  let pipeTimer: NodeJS.Timeout | undefined
  const finish = (termination: Termination) => {
    if (finished) return
    finished = true
    clearTimeout(timeoutTimer)
    clearTimeout(killTimer)
    clearTimeout(pipeTimer)
    const tail = capture.end()
    if (tail !== '') options.onOutput?.('stdout', tail)
    resolveDone(decideOutcome(termination, capture.text, capture.truncatedBytes))
  }

  const [command, ...args] = options.argv
  if (command === undefined || command === '') {
    finish({ kind: 'not-started', reason: 'nothing to run: empty command' })
    return { pid: undefined, done, abort: () => {}, cancel: () => {} }
  }

  let child: ChildProcess
  try {
    child = spawnScript(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
  } catch (error) {
    finish({ kind: 'not-started', reason: describeSpawnError(options.argv, error) })
    return { pid: undefined, done, abort: () => {}, cancel: () => {} }
  }
  const pid = child.pid

  let ending: { kind: 'timeout' } | { kind: 'aborted' | 'canceled'; reason: string } | undefined
  let sent: NodeJS.Signals = 'SIGTERM'
  let exit: { code: number | null; signal: string | null } | undefined

  const terminate = (why: NonNullable<typeof ending>) => {
    if (ending !== undefined || exit !== undefined || finished || pid === undefined) return
    ending = why
    sent = 'SIGTERM'
    signalGroup(pid, 'SIGTERM')
    killTimer = setTimeout(() => {
      sent = 'SIGKILL'
      signalGroup(pid, 'SIGKILL')
    }, options.killGraceMs)
  }
  timeoutTimer = setTimeout(() => terminate({ kind: 'timeout' }), options.timeoutMs)

  const termination = (): Termination => {
    const code = exit?.code ?? null
    const signal = exit?.signal ?? null
    if (ending?.kind === 'timeout') return { kind: 'timeout', code, signal, sent }
    if (ending?.kind === 'aborted' || ending?.kind === 'canceled') {
      return { kind: ending.kind, code, signal, sent, reason: ending.reason }
    }
    return { kind: 'exited', code, signal }
  }

  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream]?.on('data', (chunk: Buffer) => {
      const text = capture.write(stream, chunk)
      if (text !== '') options.onOutput?.(stream, text)
    })
  }
  child.on('error', (error) => {
    if (exit === undefined && pid === undefined)
      finish({ kind: 'not-started', reason: describeSpawnError(options.argv, error) })
  })
  child.on('exit', (code, signal) => {
    exit = { code, signal }
    clearTimeout(timeoutTimer)
    clearTimeout(killTimer)
    if (pid !== undefined && groupAlive(pid)) signalGroup(pid, 'SIGKILL')
    pipeTimer = setTimeout(() => {
      child.stdout?.destroy()
      child.stderr?.destroy()
      finish(termination())
    }, options.pipeCloseWaitMs ?? 2000)
  })
  child.on('close', () => {
    if (exit !== undefined) finish(termination())
  })

  return {
    pid,
    done,
    abort: (reason) => terminate({ kind: 'aborted', reason }),
    cancel: (reason) => terminate({ kind: 'canceled', reason }),
  }
}
