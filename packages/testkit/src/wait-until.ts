/**
 * Polls `check` until it answers a value other than `undefined`/`false`, or throws after `timeoutMs`.
 * The bounded alternative to sleeping in tests.
 *
 * @example
 * const row = await waitUntil(async () => (await db.selectFrom('jobs').selectAll().executeTakeFirst()) ?? false)
 */
export async function waitUntil<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number; message?: string; signal?: AbortSignal } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000
  const intervalMs = options.intervalMs ?? 50
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    options.signal?.throwIfAborted()
    try {
      const value = await check()
      if (value !== undefined && value !== false) return value
    } catch (error) {
      lastError = error
    }
    if (Date.now() >= deadline) {
      const reason = options.message ?? 'condition not met'
      throw new Error(
        `waitUntil: ${reason} within ${timeoutMs} ms`,
        lastError === undefined ? undefined : { cause: lastError },
      )
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
