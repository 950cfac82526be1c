import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@taskforge/testkit'
import { pollUntil } from './clock.js'
import { findExecutable } from './executables.js'

export interface RedisServer {
  readonly host: string
  readonly port: number
  stop(): Promise<void>
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1_000, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (chunk) => done(chunk.toString().startsWith('+PONG')))
  })
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/** The Debian `redis-server` binary, if this machine has it. */
export function findRedisServer(): string | undefined {
  return findExecutable('redis-server', process.env.REDIS_SERVER_BIN)
}

/**
 * Starts a private redis-server on 127.0.0.1 and a free port, with a throwaway directory and no
 * persistence (no RDB snapshots, no AOF): BullMQ's figures are those of Redis held in memory only.
 */
export async function startRedis(binary: string): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'taskforge-bench-redis-'))
  const port = await freePort()
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'yes',
      '--daemonize',
      'no',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const ready = await pollUntil(() => answersPing(port), { timeoutMs: 15_000, intervalMs: 50 })
  const stop = async () => {
    process.off('exit', killOnExit)
    child.kill('SIGTERM')
    await exited(child)
    await rm(dir, { recursive: true, force: true })
  }
  if (!ready) {
    await stop()
    throw new Error(`redis-server did not answer on port ${port}`)
  }
  return { host: '127.0.0.1', port, stop }
}
