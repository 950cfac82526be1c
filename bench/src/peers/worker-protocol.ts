/** Messages between the bench and a peer's worker process. */
export type ToWorker = { type: 'expect'; from: number; count: number } | { type: 'stop' }

export type FromWorker =
  | { type: 'ready' }
  | { type: 'expecting'; from: number }
  | { type: 'done'; from: number; starts: number[] }
  | { type: 'error'; message: string }
