// @ts-check
/**
 * The bot's spawner: a small Node.js process, started once by the agent (spawner.ts), that starts
 * the jobs' scripts for it. Spawning forks the calling process, and the cost of a fork grows with
 * the size of that process: forking this one costs a fraction of forking the agent, for the script
 * too (its exec has less to tear down). It is plain JavaScript so that it runs without a TypeScript
 * loader, which would make it as large as the agent.
 *
 * For each script it forwards the output (up to the byte count the agent asks for; past it, only a
 * count), the exit, and the close of the output pipes, over the IPC channel (each side's messages
 * of one turn of its event loop go as one); it signals the script's process group when the agent
 * asks, and kills whatever the script left in its group once the script exited. When the agent
 * goes, it goes too, leaving the scripts running: the agent's journal finds them at its next
 * start, as it would have after its own crash.
 */
import { spawn } from 'node:child_process'
import { signalGroup } from './process-group.mjs'

/**
 * @typedef {import('./spawner.js').SpawnerRequest} SpawnerRequest
 * @typedef {import('./spawner.js').SpawnerEvent} SpawnerEvent
 * @typedef {{ child: import('node:child_process').ChildProcess, exited: boolean, room: number, dropped: number }} Script
 */

process.title = 'bot-spawner'

/** Tries after ETXTBSY, and the first wait (it grows by as much each time). */
const BUSY_RETRIES = 5
const BUSY_WAIT_MS = 2

/** @param {number} ms */
function pause(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** @type {Map<number, Script>} */
const scripts = new Map()

/** @type {SpawnerEvent[]} */
let told = []

/**
 * Tells the agent of `event`. Events go out together once the current turn of the event loop has
 * handled all that came in (exits, output, pipes closed, requests): one message however many
 * scripts they are about, so that the cost per script falls as more run at once.
 * @param {SpawnerEvent} event
 */
function tell(event) {
  if (told.length === 0) setImmediate(sendTold)
  told.push(event)
}

function sendTold() {
  const events = told
  told = []
  process.send?.(events)
}

/** @param {unknown} error */
function failure(error) {
  const err = /** @type {NodeJS.ErrnoException} */ (error)
  return { code: err.code ?? '', message: err.message ?? String(error) }
}

/**
 * `spawn`, tried again when the kernel answers ETXTBSY: a process forked while the agent was
 * writing a script holds a copy of its (close-on-exec) write descriptor until it runs exec itself.
 * Only the agent writes scripts and it forks nothing but this spawner, so it is rare; the wait
 * blocks, but only then.
 * @param {string} command
 * @param {string[]} args
 * @param {import('node:child_process').SpawnOptions} options
 */
function spawnScript(command, args, options) {
  for (let attempt = 1; ; attempt++) {
    try {
      return spawn(command, args, options)
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'ETXTBSY' || attempt > BUSY_RETRIES)
        throw error
      pause(BUSY_WAIT_MS * attempt)
    }
  }
}

/** @param {Extract<SpawnerRequest, { type: 'spawn' }>} request */
function start(request) {
  const { id } = request
  let child
  try {
    child = spawnScript(request.command, request.args, {
      cwd: request.cwd,
      env: request.env,
      detached: true,
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
  } catch (error) {
    tell({ type: 'failed', id, ...failure(error) })
    return
  }
  const pid = child.pid
  child.on('error', (error) => {
    // Emitted for a command that could not start (ENOENT, EACCES): it has no pid.
    if (pid === undefined) tell({ type: 'failed', id, ...failure(error) })
  })
  if (pid === undefined) return
  /** @type {Script} */
  const script = { child, exited: false, room: request.forwardBytes, dropped: 0 }
  scripts.set(id, script)
  tell({ type: 'spawned', id, pid })
  for (const stream of /** @type {const} */ (['stdout', 'stderr'])) {
    child[stream]?.on('data', (/** @type {Buffer} */ chunk) => {
      const take = Math.min(script.room, chunk.length)
      script.dropped += chunk.length - take
      if (take === 0) return
      script.room -= take
      tell({ type: 'output', id, stream, data: take === chunk.length ? chunk : chunk.subarray(0, take) })
    })
  }
  child.on('exit', (code, signal) => {
    script.exited = true
    // What the script left in its group: one call, which finds nothing when it left nothing (or
    // nothing the bot may signal).
    signalGroup(pid, 'SIGKILL')
    tell({ type: 'exit', id, code, signal, dropped: script.dropped })
  })
  child.on('close', () => {
    scripts.delete(id)
    tell({ type: 'close', id, dropped: script.dropped })
  })
}

/** @param {SpawnerRequest} request */
function handle(request) {
  switch (request.type) {
    case 'spawn':
      start(request)
      break
    case 'signal': {
      // Once the script exited, its group was killed here: a signal now could reach a reused pid.
      const script = scripts.get(request.id)
      if (script?.child.pid !== undefined && !script.exited) signalGroup(script.child.pid, request.signal)
      break
    }
    case 'release': {
      const script = scripts.get(request.id)
      script?.child.stdout?.destroy()
      script?.child.stderr?.destroy()
      scripts.delete(request.id)
      break
    }
  }
}

process.on('message', (/** @type {SpawnerRequest[]} */ requests) => {
  for (const request of requests) handle(request)
})

process.on('disconnect', () => process.exit(0))
