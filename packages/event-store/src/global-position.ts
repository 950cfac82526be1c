import type { GlobalPosition } from './types.js'

/** The position before every event. */
export const START: GlobalPosition = Object.freeze({ transactionId: 0n, position: 0n })

/** Orders positions as readAll does: by writing transaction id, then position. */
export function comparePositions(a: GlobalPosition, b: GlobalPosition): number {
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1
  if (a.position !== b.position) return a.position < b.position ? -1 : 1
  return 0
}

/** The position of an event, as plain data. */
export function positionOf(event: GlobalPosition): GlobalPosition {
  return { transactionId: event.transactionId, position: event.position }
}
