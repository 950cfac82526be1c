import { type NatsOperatorSetup, natsOperatorConfig } from '@taskforge/nats-operator'
import { freePort } from './free-port.js'
import { findNatsServerBinary, startLocalNats } from './local-nats.js'
import type { NatsServer } from './nats-server.js'
import { waitUntil } from './wait-until.js'

const META_LEADER_TIMEOUT_MS = 60_000

export interface NatsClusterOptions {
  /** Servers in the cluster (default 3: the smallest that keeps a JetStream quorum through one loss). */
  nodes?: number
  /** The cluster's name (default `taskforge-test`). */
  name?: string
  /** More configuration for every node (accounts, limits...). */
  configText?: string
  /** Operator mode on every node, as {@link startNats} `operator`. */
  operator?: NatsOperatorSetup
}

/** A JetStream cluster of local `nats-server` processes on loopback. */
export interface NatsCluster {
  /** Every node's client URL, comma separated: what NATS_URL takes. */
  readonly url: string
  readonly urls: readonly string[]
  /** The nodes in start order; each can be killed and restarted on its own (its store is kept). */
  readonly nodes: readonly NatsServer[]
  /** Resolves once the JetStream meta group has a leader again (after a node was killed, say). */
  waitForMetaLeader(timeoutMs?: number): Promise<string>
  stop(): Promise<void>
}

interface MetaCluster {
  leader?: string
  cluster_size?: number
}

function nodeConfig(args: {
  serverName: string
  clusterName: string
  clusterPort: number
  routes: number[]
  monitorPort: number
  extra: string
}): string {
  return [
    `server_name: "${args.serverName}"`,
    `http: "127.0.0.1:${args.monitorPort}"`,
    'cluster {',
    `  name: "${args.clusterName}"`,
    `  listen: "127.0.0.1:${args.clusterPort}"`,
    `  routes: [${args.routes.map((port) => `"nats-route://127.0.0.1:${port}"`).join(', ')}]`,
    '}',
    args.extra,
  ].join('\n')
}

async function metaLeader(monitorPort: number, size: number): Promise<string | false> {
  const response = await fetch(`http://127.0.0.1:${monitorPort}/jsz`, { signal: AbortSignal.timeout(2_000) })
  if (!response.ok) return false
  const { meta_cluster: meta } = (await response.json()) as { meta_cluster?: MetaCluster }
  return meta?.leader !== undefined && meta.leader !== '' && (meta.cluster_size ?? 0) >= size
    ? meta.leader
    : false
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>()
  while (ports.size < count) ports.add(await freePort())
  return [...ports]
}

/**
 * Starts a JetStream cluster of `nodes` local `nats-server` processes on 127.0.0.1: each with its own
 * client, route and monitoring port and its own store directory, all routed to each other under one
 * cluster name. Answers once every node agrees on a JetStream meta leader, so streams with
 * `num_replicas` up to `nodes` can be created at once. Needs the `nats-server` binary (a test
 * container or `TEST_NATS_URL` cannot form one).
 *
 * @example
 * const cluster = await startNatsCluster({ nodes: 3 })
 * process.env.NATS_URL = cluster.url // nats://127.0.0.1:a,nats://127.0.0.1:b,nats://127.0.0.1:c
 * await cluster.nodes[0].kill()
 * await cluster.waitForMetaLeader()
 * await cluster.stop()
 */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const size = options.nodes ?? 3
  if (!Number.isInteger(size) || size < 1) throw new Error('a cluster needs at least one node')
  const binary = findNatsServerBinary()
  if (binary === undefined) {
    throw new Error('a NATS cluster needs the nats-server binary (PATH, /usr/sbin or NATS_SERVER_BIN)')
  }
  const clusterName = options.name ?? 'taskforge-test'
  const extra = [
    options.operator === undefined ? '' : natsOperatorConfig(options.operator),
    options.configText ?? '',
  ].join('\n')
  const ports = await distinctFreePorts(size * 2)
  const clusterPorts = ports.slice(0, size)
  const monitorPorts = ports.slice(size)
  const started = await Promise.allSettled(
    clusterPorts.map((clusterPort, index) =>
      startLocalNats(binary, {
        configText: nodeConfig({
          serverName: `${clusterName}-${index + 1}`,
          clusterName,
          clusterPort,
          routes: clusterPorts,
          monitorPort: monitorPorts[index] as number,
          extra,
        }),
      }),
    ),
  )
  const nodes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
  const stop = async () => {
    await Promise.allSettled(nodes.map((node) => node.stop()))
  }
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected')
  if (failed !== undefined) {
    await stop()
    throw failed.reason
  }
  const waitForMetaLeader = async (timeoutMs = META_LEADER_TIMEOUT_MS): Promise<string> => {
    const leaders = await waitUntil(
      async () => {
        const seen = await Promise.all(
          monitorPorts.map((port) => metaLeader(port, size).catch(() => false as const)),
        )
        const answered = seen.filter((leader): leader is string => leader !== false)
        // Killed nodes do not answer; the others must agree on one leader.
        return answered.length > size / 2 && new Set(answered).size === 1 ? answered : false
      },
      { timeoutMs, intervalMs: 200, message: `a JetStream meta leader in the ${size}-node cluster` },
    )
    return leaders[0] as string
  }
  try {
    await waitForMetaLeader()
  } catch (error) {
    await stop()
    throw error
  }
  const urls = nodes.map((node) => node.url)
  return { url: urls.join(','), urls, nodes, waitForMetaLeader, stop }
}
