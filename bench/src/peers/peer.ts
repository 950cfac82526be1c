/** Enqueues jobs the way an application using the library does, one call per job. */
export interface PeerProducer {
  enqueue(seq: number): Promise<void>
  close(): Promise<void>
}

/** A running worker; its handler is the bench's (a call that notes the start, or a script spawn). */
export interface PeerWorker {
  close(): Promise<void>
}

/** Where a peer keeps its jobs: a Postgres database or a Redis server. */
export type PeerStore = { kind: 'postgres'; url: string } | { kind: 'redis'; host: string; port: number }

/** One peer queue library, set up as its documentation shows. */
export interface PeerAdapter {
  name: string
  /** The library's settings that shape the figures, for the report. */
  settings(concurrency: number): Record<string, string | number | boolean>
  /** Creates its schema or queue; runs once before producer and worker start. */
  prepare(store: PeerStore): Promise<void>
  producer(store: PeerStore): Promise<PeerProducer>
  /** Runs `handle` for every job; the job is done once its promise settles. */
  worker(
    store: PeerStore,
    concurrency: number,
    handle: (seq: number) => void | Promise<void>,
  ): Promise<PeerWorker>
}

export const QUEUE = 'bench'

/** The payload every peer carries: the job's sequence number in the run. */
export interface BenchPayload {
  seq: number
}

export function seqOf(payload: unknown): number {
  const seq = (payload as Partial<BenchPayload> | null)?.seq
  if (typeof seq !== 'number') throw new Error(`payload without seq: ${JSON.stringify(payload)}`)
  return seq
}

export function postgresUrl(store: PeerStore): string {
  if (store.kind !== 'postgres') throw new Error('this peer needs Postgres')
  return store.url
}
