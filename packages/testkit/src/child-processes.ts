import type { ChildProcess } from 'node:child_process'

const live = new Set<ChildProcess>()
let hooked = false

/** Kills `child` when this process exits, so a crashed or interrupted test run leaves no server behind. */
export function killOnExit(child: ChildProcess): void {
  live.add(child)
  child.once('exit', () => live.delete(child))
  if (hooked) return
  hooked = true
  process.once('exit', () => {
    for (const running of live) running.kill('SIGKILL')
  })
}

/** Resolves once `child` has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/** Sends `signal`, then SIGKILL if the process is still there after `graceMs`; resolves when it is gone. */
export async function terminate(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  const gone = exited(child)
  child.kill(signal)
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  try {
    await gone
  } finally {
    clearTimeout(timer)
  }
}
