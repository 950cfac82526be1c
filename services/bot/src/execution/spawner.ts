import { type ChildProcess, fork } from 'node:child_process'
import type { OutputStream } from './output-capture.js'

/**
 * What the agent asks of its spawner (spawner-main.mjs). Requests, and events back, travel in
 * arrays: those of one turn of the sender's event loop, in order, as one message.
 */
export type SpawnerRequest =
  | {
      type: 'spawn'
      id: number
      command: string
      args: string[]
      cwd: string
      env: Record<string, string>
      /** Output bytes (both streams together) forwarded; past them, only counted. */
      forwardBytes: number
    }
  /** Signals the script's process group, unless the script has exited. */
  | { type: 'signal'; id: number; signal: NodeJS.Signals }
  /** Stops reading the script's output pipes (a descendant that left its group holds them). */
  | { type: 'release'; id: number }

/** What the spawner tells of a script, in the order it happens. */
export type SpawnerEvent =
  | { type: 'spawned'; id: number; pid: number }
  | { type: 'failed'; id: number; code: string; message: string }
  /** `data` stays a Buffer across the channel (advanced serialization). */
  | { type: 'output'; id: number; stream: OutputStream; data: Buffer }
  /** `dropped`: output bytes past `forwardBytes` so far. */
  | { type: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null; dropped: number }
  | { type: 'close'; id: number; dropped: number }

/** What a script's owner hears from the spawner, in this order. */
export interface SpawnedScriptEvents {
  /** It runs, as `pid`: called before any of its output. */
  spawned(pid: number): void
  /** It could not start: nothing else will be heard. */
  failed(code: string, message: string): void
  output(stream: OutputStream, data: Buffer): void
  /** It exited; the spawner killed whatever it left in its group. */
  exit(code: number | null, signal: NodeJS.Signals | null, dropped: number): void
  /** Its output pipes closed: nothing else will be heard. */
  close(dropped: number): void
  /** The spawner itself stopped after the script was spawned: nothing else will be heard. */
  lost(pid: number): void
}

/** A script given to the spawner: what its owner can ask of it. */
export interface SpawnedScript {
  /** Signals its process group, unless it has exited (its group was killed then). */
  signal(signal: NodeJS.Signals): void
  /** Stops reading its output: nothing else will be heard. */
  release(): void
}

interface Pending {
  events: SpawnedScriptEvents
  pid?: number
}

const PROGRAM = new URL('./spawner-main.mjs', import.meta.url)

/**
 * The agent's side of its spawner process: started on the first script, started again after it
 * stopped. Its IPC channel holds the agent's event loop only while scripts run, as their pipes did
 * when the agent spawned them itself.
 */
class Spawner {
  private process: ChildProcess | undefined
  private readonly scripts = new Map<number, Pending>()
  private lastId = 0
  /** Requests of this turn of the event loop, by the spawner they are for. */
  private readonly outgoing = new Map<ChildProcess, SpawnerRequest[]>()

  /** Starts a script; its events tell what becomes of it. */
  spawn(
    request: Omit<Extract<SpawnerRequest, { type: 'spawn' }>, 'type' | 'id'>,
    events: SpawnedScriptEvents,
  ): SpawnedScript {
    const id = ++this.lastId
    const helper = this.running()
    this.add(id, { events })
    this.send(helper, { type: 'spawn', id, ...request })
    return {
      signal: (signal) => this.send(helper, { type: 'signal', id, signal }),
      release: () => {
        this.remove(id)
        this.send(helper, { type: 'release', id })
      },
    }
  }

  private running(): ChildProcess {
    if (this.process !== undefined) return this.process
    const helper = fork(PROGRAM, [], {
      // None of the agent's own flags (a TypeScript loader, --cpu-prof): the spawner stays small.
      execArgv: [],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // Its own process group: a Ctrl-C meant for the agent does not reach the jobs' spawner.
      detached: true,
    })
    let gone = false
    const stopped = () => {
      if (gone) return
      gone = true
      if (this.process === helper) this.process = undefined
      const lost = [...this.scripts.values()]
      this.scripts.clear()
      for (const script of lost) {
        if (script.pid === undefined) script.events.failed('', 'the bot spawner stopped')
        else script.events.lost(script.pid)
      }
    }
    helper.on('message', (events: SpawnerEvent[]) => {
      for (const event of events) this.receive(event)
    })
    // A fork that failed (EAGAIN, EMFILE) has no pid and may never exit: its scripts fail, and the
    // next script forks anew instead of waiting on a spawner that never ran.
    helper.on('error', () => {
      if (helper.pid === undefined) stopped()
    })
    helper.on('exit', stopped)
    this.process = helper
    return helper
  }

  /** Sends `request` with the others of this turn of the event loop, once it has handled all it had. */
  private send(helper: ChildProcess, request: SpawnerRequest): void {
    const queued = this.outgoing.get(helper)
    if (queued !== undefined) {
      queued.push(request)
      return
    }
    this.outgoing.set(helper, [request])
    setImmediate(() => {
      const requests = this.outgoing.get(helper) ?? []
      this.outgoing.delete(helper)
      if (helper.connected) helper.send(requests)
    })
  }

  private receive(event: SpawnerEvent): void {
    const script = this.scripts.get(event.id)
    if (script === undefined) return
    switch (event.type) {
      case 'spawned':
        script.pid = event.pid
        script.events.spawned(event.pid)
        break
      case 'failed':
        this.remove(event.id)
        script.events.failed(event.code, event.message)
        break
      case 'output':
        script.events.output(event.stream, event.data)
        break
      case 'exit':
        script.events.exit(event.code, event.signal, event.dropped)
        break
      case 'close':
        this.remove(event.id)
        script.events.close(event.dropped)
        break
    }
  }

  private add(id: number, script: Pending): void {
    this.scripts.set(id, script)
    if (this.scripts.size === 1) this.hold(true)
  }

  private remove(id: number): void {
    if (this.scripts.delete(id) && this.scripts.size === 0) this.hold(false)
  }

  /** Whether the spawner keeps the agent's event loop alive: only while it has scripts. */
  private hold(on: boolean): void {
    const helper = this.process
    if (helper === undefined) return
    if (on) {
      helper.ref()
      helper.channel?.ref()
    } else {
      helper.unref()
      helper.channel?.unref()
    }
  }
}

/** The spawner of this process's scripts. */
export const spawner = new Spawner()
