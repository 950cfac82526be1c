import { decideOutcome, type ExecutionOutcome, type Termination } from './outcome.js'
import { DEFAULT_OUTPUT_LIMIT_BYTES, OutputCapture, type OutputChunk } from './output-capture.js'
import { signalGroup } from './process-group.mjs'
import { spawner } from './spawner.js'

export interface ScriptProcessOptions {
  argv: readonly string[]
  cwd: string
  env: Record<string, string>
  /** Time the script may run before its group gets SIGTERM. */
  timeoutMs: number
  /** Time between SIGTERM and SIGKILL of the group, on timeout or abort. */
  killGraceMs: number
  outputLimitBytes?: number
  /** Bytes of output one piece handed to `onOutput` holds at most. */
  outputChunkBytes?: number
  /** Values redacted from the output before it is kept (`redactableSecrets`). */
  secrets?: readonly Buffer[]
  /** Called once the script runs, with its pid, before any of its output. */
  onStarted?(pid: number): void
  /** Receives the captured output as it arrives, in pieces (nothing past the capture limit). */
  onOutput?(piece: OutputChunk): void
  /**
   * After the script exited and its group was killed, how long to wait for the output pipes to close.
   * Only a descendant that left the group (setsid) can hold them longer; the bot then stops reading.
   */
  pipeCloseWaitMs?: number
}

/** A running script: its process group leader's pid, its outcome once it ended, and a way to stop it. */
export interface ScriptProcess {
  /** Known once it runs (`onStarted`); never for a script that could not start. */
  readonly pid: number | undefined
  readonly done: Promise<ExecutionOutcome>
  /** Ends the script (SIGTERM to its group, SIGKILL after the grace period); the job ends in error. */
  abort(reason: string): void
  /** Ends the script the same way; the job ends canceled. */
  cancel(reason: string): void
}

/** Why a script's spawner stopped under it: its jobs are stopped and end in error. */
export const SPAWNER_LOST_REASON = 'the bot spawner stopped while the script ran'

function describeSpawnError(argv: readonly string[], code: string, message: string): string {
  const command = argv[0] ?? ''
  switch (code) {
    case 'ENOENT':
      return `cannot run ${command}: no such file or command (ENOENT)`
    case 'EACCES':
      return `cannot run ${command}: permission denied (EACCES)`
    default:
      return `cannot run ${command}: ${message}`
  }
}

/**
 * Starts a job's script without a shell, as the leader of a new process group, and watches it:
 * output captured up to a limit, a timeout that signals the whole group, and after the leader
 * exits, a SIGKILL to whatever it left behind in its group, so no process of a job outlives it.
 * The bot's spawner process (spawner.ts) starts it: its pid comes with `onStarted`.
 */
export function startScript(options: ScriptProcessOptions): ScriptProcess {
  const capture = new OutputCapture(
    options.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES,
    options.outputChunkBytes,
    options.secrets,
  )
  let resolveDone: (outcome: ExecutionOutcome) => void = () => {}
  const done = new Promise<ExecutionOutcome>((resolve) => {
    resolveDone = resolve
  })
  let finished = false
  /** Output bytes the spawner did not forward, past the capture limit. */
  let dropped = 0
  let timeoutTimer: NodeJS.Timeout | undefined
  let killTimer: NodeJS.Timeout | undefined
  let pipeTimer: NodeJS.Timeout | undefined
  const finish = (termination: Termination) => {
    if (finished) return
    finished = true
    clearTimeout(timeoutTimer)
    clearTimeout(killTimer)
    clearTimeout(pipeTimer)
    for (const piece of capture.end()) options.onOutput?.(piece)
    resolveDone(decideOutcome(termination, capture.text, capture.truncatedBytes + dropped))
  }

  const [command, ...args] = options.argv
  if (command === undefined || command === '') {
    finish({ kind: 'not-started', reason: 'nothing to run: empty command' })
    return { pid: undefined, done, abort: () => {}, cancel: () => {} }
  }

  let pid: number | undefined
  let ending: { kind: 'timeout' } | { kind: 'aborted' | 'canceled'; reason: string } | undefined
  let sent: NodeJS.Signals = 'SIGTERM'
  let exit: { code: number | null; signal: string | null } | undefined
  const termination = (): Termination => {
    const code = exit?.code ?? null
    const signal = exit?.signal ?? null
    if (ending?.kind === 'timeout') return { kind: 'timeout', code, signal, sent }
    if (ending?.kind === 'aborted' || ending?.kind === 'canceled') {
      return { kind: ending.kind, code, signal, sent, reason: ending.reason }
    }
    return { kind: 'exited', code, signal }
  }

  const script = spawner.spawn(
    { command, args, cwd: options.cwd, env: options.env, forwardBytes: capture.limitBytes },
    {
      spawned: (spawnedPid) => {
        pid = spawnedPid
        options.onStarted?.(spawnedPid)
      },
      failed: (code, message) =>
        finish({ kind: 'not-started', reason: describeSpawnError(options.argv, code, message) }),
      output: (stream, chunk) => {
        for (const piece of capture.write(stream, chunk)) options.onOutput?.(piece)
      },
      exit: (code, signal, droppedSoFar) => {
        exit = { code, signal }
        dropped = droppedSoFar
        clearTimeout(timeoutTimer)
        clearTimeout(killTimer)
        pipeTimer = setTimeout(() => {
          script.release()
          finish(termination())
        }, options.pipeCloseWaitMs ?? 2000)
      },
      close: (droppedAtClose) => {
        dropped = droppedAtClose
        if (exit !== undefined) finish(termination())
      },
      lost: (lostPid) => {
        if (exit === undefined) {
          // Nothing watches what still runs of the script any more: it is ended here.
          signalGroup(lostPid, 'SIGKILL')
          ending ??= { kind: 'aborted', reason: SPAWNER_LOST_REASON }
          sent = 'SIGKILL'
        }
        finish(termination())
      },
    },
  )

  // Requests reach the spawner in order: a signal sent before it answered still follows the spawn.
  const terminate = (why: NonNullable<typeof ending>) => {
    if (ending !== undefined || exit !== undefined || finished) return
    ending = why
    sent = 'SIGTERM'
    script.signal('SIGTERM')
    killTimer = setTimeout(() => {
      sent = 'SIGKILL'
      script.signal('SIGKILL')
    }, options.killGraceMs)
  }
  timeoutTimer = setTimeout(() => terminate({ kind: 'timeout' }), options.timeoutMs)

  return {
    get pid() {
      return pid
    },
    done,
    abort: (reason) => terminate({ kind: 'aborted', reason }),
    cancel: (reason) => terminate({ kind: 'canceled', reason }),
  }
}
