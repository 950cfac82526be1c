import { type ChildProcess, fork, type Serializable } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** Runs a TypeScript module of the bench in its own Node.js process, with an IPC channel. */
export function forkTs(moduleUrl: URL, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return fork(fileURLToPath(moduleUrl), args, {
    execArgv: ['--conditions=source', '--import', 'tsx'],
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
}

/** Resolves with the first IPC message `accept` answers a value for; rejects on exit or after `timeoutMs`. */
export function nextMessage<M, T>(
  child: ChildProcess,
  accept: (message: M) => T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const cleanUp = () => {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
    }
    const onMessage = (message: unknown) => {
      const value = accept(message as M)
      if (value === undefined) return
      cleanUp()
      resolve(value)
    }
    const onExit = (code: number | null, signal: string | null) => {
      cleanUp()
      reject(new Error(`${what}: the process exited (${code ?? signal})`))
    }
    const timer = setTimeout(() => {
      cleanUp()
      reject(new Error(`${what}: no answer within ${timeoutMs / 1000}s`))
    }, timeoutMs)
    child.on('message', onMessage)
    child.on('exit', onExit)
  })
}

/** Asks a child to stop and waits for it; SIGKILL when it takes longer than `graceMs`. */
export async function stopChild(child: ChildProcess, message: Serializable, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  if (child.connected) child.send(message)
  else child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await gone
  clearTimeout(timer)
}
