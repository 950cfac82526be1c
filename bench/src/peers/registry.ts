import { bullmq } from './bullmq.js'
import { graphileWorker } from './graphile-worker.js'
import type { PeerAdapter } from './peer.js'
import { pgBoss } from './pg-boss.js'

export const PEERS = {
  'graphile-worker': graphileWorker,
  'pg-boss': pgBoss,
  bullmq,
} as const satisfies Record<string, PeerAdapter>

export type PeerId = keyof typeof PEERS

export function isPeerId(value: string): value is PeerId {
  return Object.hasOwn(PEERS, value)
}
