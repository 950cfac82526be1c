/** Messages between the bench and a peer's worker process. */
export type ToWorker = { type: 'expect'; from: number; count: number } | { type: 'stop' }

export type FromWorker =
  | { type: 'ready' }
  | { type: 'expecting'; from: number }
  /** `starts`: when each handler started (bare) or ended (spawn: the script stamps its start). */
  | { type: 'done'; from: number; starts: number[] }
  | { type: 'error'; message: string }
