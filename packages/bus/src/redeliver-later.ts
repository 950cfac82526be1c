/**
 * Thrown by a handler whose message cannot be handled yet, though nothing failed (it depends on
 * another message not handled yet): the bus naks it with `delayMs`, without logging an error.
 */
export class RedeliverLater extends Error {
  override name = 'RedeliverLater'
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message)
  }
}
