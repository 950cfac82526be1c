import { type ChildProcess, spawn } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join, resolve } from 'node:path'
import { exited, killOnExit, terminate } from './child-processes.js'
import { debugLog, LogTail } from './debug.js'
import { freePort } from './free-port.js'
import { NATS_DIR_PREFIX, sweepLeftovers } from './leftovers.js'
import type { NatsOptions, NatsServer } from './nats-server.js'
import type { ServerExit } from './postgres-server.js'
import { waitUntil } from './wait-until.js'

const START_TIMEOUT_MS = 30_000

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** `NATS_SERVER_BIN`, else `nats-server` on PATH, else the usual system locations. */
export function findNatsServerBinary(): string | undefined {
  const explicit = process.env.NATS_SERVER_BIN
  if (explicit !== undefined && explicit !== '') return executable(explicit) ? explicit : undefined
  const onPath = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '')
  const candidates = [
    ...onPath.map((dir) => join(dir, 'nats-server')),
    '/usr/sbin/nats-server',
    '/usr/local/bin/nats-server',
  ]
  return candidates.find(executable)
}

/** Answers true once the server greets with an INFO line that announces JetStream. */
function greetsWithJetStream(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    let received = ''
    const socket = connect(port, '127.0.0.1')
    const done = (ok: boolean) => {
      clearTimeout(timer)
      socket.destroy()
      resolvePromise(ok)
    }
    const timer = setTimeout(() => done(false), 1_000)
    socket.setEncoding('utf8')
    socket.once('error', () => done(false))
    socket.on('data', (chunk: string) => {
      received += chunk
      const end = received.indexOf('\r\n')
      if (end < 0) return
      const line = received.slice(0, end)
      try {
        const info: unknown = JSON.parse(line.replace(/^INFO\s+/, ''))
        done(
          typeof info === 'object' && info !== null && (info as { jetstream?: unknown }).jetstream === true,
        )
      } catch {
        done(false)
      }
    })
  })
}

/** Runs `nats-server -js` on 127.0.0.1 and a free port, with its store in a (throwaway or kept) directory. */
export async function startLocalNats(binary: string, options: NatsOptions): Promise<NatsServer> {
  const persistent = options.persistent === true
  sweepLeftovers()
  const storeDir =
    options.dataDir === undefined ? await mkdtemp(join(tmpdir(), NATS_DIR_PREFIX)) : resolve(options.dataDir)
  await mkdir(storeDir, { recursive: true })
  const configArgs: string[] = []
  if (options.configText !== undefined) {
    const configFile = join(storeDir, 'nats-server.conf')
    await writeFile(configFile, options.configText)
    configArgs.push('-c', configFile)
  }
  let port = 0
  const removeStore = async () => {
    if (!persistent) await rm(storeDir, { recursive: true, force: true })
  }

  let child: ChildProcess | undefined
  let ended: Promise<ServerExit> = Promise.resolve({ how: 'not started', lastLines: [] })
  const launch = async () => {
    const tail = new LogTail()
    const args = [...configArgs, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir]
    const server = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    killOnExit(server)
    ended = new Promise((resolveExit) => {
      server.once('error', (error) => resolveExit({ how: `cannot run: ${error.message}`, lastLines: [] }))
      server.once('exit', (code, signal) =>
        resolveExit({ how: code === null ? String(signal) : `code ${code}`, lastLines: tail.lines() }),
      )
    })
    const output = (chunk: Buffer) => {
      const text = chunk.toString('utf8')
      tail.push(text)
      debugLog('nats', text)
    }
    server.stdout?.on('data', output)
    server.stderr?.on('data', output)
    child = server
    const died = new Promise<never>((_, reject) => {
      server.once('error', (error) => reject(new Error(`cannot run ${binary}: ${error.message}`)))
      server.once('exit', (code, signal) =>
        reject(new Error(`nats-server exited (${code ?? signal}):\n${tail}`)),
      )
    })
    died.catch(() => undefined)
    const probing = new AbortController()
    const ready = waitUntil(() => greetsWithJetStream(port), {
      timeoutMs: START_TIMEOUT_MS,
      intervalMs: 50,
      message: `nats-server on port ${port} to accept connections`,
      signal: probing.signal,
    })
    ready.catch(() => undefined)
    try {
      await Promise.race([ready, died])
    } catch (error) {
      await terminate(server, 'SIGKILL', 0)
      throw error
    } finally {
      probing.abort()
    }
    debugLog('nats', `ready on port ${port} (store ${storeDir})`)
  }

  const kill = async () => {
    if (child !== undefined) await terminate(child, 'SIGKILL', 0)
  }
  try {
    // A free port can be taken by someone else before the server binds it: then try another one.
    for (let attempt = 1; ; attempt++) {
      port = await freePort(attempt === 1 ? options.port : undefined)
      try {
        await launch()
        break
      } catch (error) {
        if (attempt >= 3 || !/address already in use/i.test(String(error))) throw error
      }
    }
  } catch (error) {
    await removeStore()
    throw error
  }
  let stopping: Promise<void> | undefined
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    source: 'local',
    kill,
    async restart() {
      await kill()
      await launch()
    },
    exited: () => ended,
    stop() {
      stopping ??= (async () => {
        if (child !== undefined) {
          await terminate(child, 'SIGTERM', 10_000)
          await exited(child)
        }
        await removeStore()
      })()
      return stopping
    },
  }
}
