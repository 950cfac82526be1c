import { type NatsOperatorSetup, natsOperatorConfig } from '@taskforge/nats-operator'
import { containerRuntime } from './docker.js'
import type { ServerExit, ServerSource } from './postgres-server.js'

export interface NatsServer {
  /** nats://127.0.0.1:port */
  readonly url: string
  readonly port: number
  readonly source: ServerSource
  stop(): Promise<void>
  /** Local servers only: SIGKILL the process (for fault tests). */
  kill(): Promise<void>
  /** Local servers only: start it again on the same port and store directory. */
  restart(): Promise<void>
  /**
   * Local servers only: resolves when the latest server process has ended (at once if it has),
   * whoever ended it, so that a supervisor can start it again.
   */
  exited(): Promise<ServerExit>
}

export interface NatsOptions {
  /** JetStream store directory of a local server; a throwaway one under the OS temp dir when absent. */
  dataDir?: string
  /** Preferred port of a local server (another free one when taken). */
  port?: number
  /** Keep `dataDir` on stop and reuse it on the next start. */
  persistent?: boolean
  /**
   * nats-server configuration (accounts, limits...); command-line address, port and store win over it.
   * Relative `include`s resolve from `dataDir` (on a local server). Such a server is always started
   * here, never taken from `TEST_NATS_URL`.
   */
  configText?: string
  /**
   * Run in operator mode with this setup: every client must present a user JWT of its account (see
   * {@link issueNatsUser}). Such a server is always started here, never taken from `TEST_NATS_URL`.
   */
  operator?: NatsOperatorSetup
}

function environmentNats(url: string): NatsServer {
  const parsed = new URL(url.split(',')[0]?.trim() ?? url)
  const unsupported = () =>
    Promise.reject(new Error('kill/restart/exited need a local nats-server, not TEST_NATS_URL'))
  return {
    url,
    port: Number(parsed.port || 4222),
    source: 'environment',
    stop: () => Promise.resolve(),
    kill: unsupported,
    restart: unsupported,
    exited: unsupported,
  }
}

function withOperatorConfig(options: NatsOptions): NatsOptions {
  if (options.operator === undefined) return options
  const extra = options.configText === undefined ? '' : `\n${options.configText}`
  return { ...options, configText: `${natsOperatorConfig(options.operator)}${extra}` }
}

/**
 * Starts (or finds) a JetStream-enabled NATS server: `TEST_NATS_URL` when set, a testcontainers
 * `nats:2.9 -js` when a container engine is reachable, otherwise a local `nats-server` binary
 * (`NATS_SERVER_BIN`, PATH, /usr/sbin) on a free port. Persistent data prefers the local binary.
 *
 * @example
 * const nats = await startNats()
 * await nats.kill()     // crash it
 * await nats.restart()  // same port, same JetStream store
 * await nats.stop()
 *
 * @example
 * // Authentication on: clients connect with users of `setup`'s account.
 * const setup = await createNatsOperator()
 * const secured = await startNats({ operator: setup })
 */
export async function startNats(givenOptions: NatsOptions = {}): Promise<NatsServer> {
  const options = withOperatorConfig(givenOptions)
  const fromEnv = process.env.TEST_NATS_URL
  if (fromEnv !== undefined && fromEnv !== '' && options.configText === undefined)
    return environmentNats(fromEnv)
  const { findNatsServerBinary, startLocalNats } = await import('./local-nats.js')
  const wantsLocalData = options.persistent === true || options.dataDir !== undefined
  const binary = findNatsServerBinary()
  if (wantsLocalData && binary !== undefined) return startLocalNats(binary, options)
  const testcontainers = await containerRuntime()
  if (testcontainers !== undefined) {
    const { startContainerNats } = await import('./container-nats.js')
    return startContainerNats(testcontainers, options)
  }
  if (binary === undefined) {
    throw new Error(
      'no NATS server: set TEST_NATS_URL, run a container engine, or install nats-server (NATS_SERVER_BIN)',
    )
  }
  return startLocalNats(binary, options)
}
