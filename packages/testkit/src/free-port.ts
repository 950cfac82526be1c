import { createServer } from 'node:net'

function listen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer()
    server.unref()
    server.once('error', () => resolve(undefined))
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address()
      const bound = typeof address === 'object' && address !== null ? address.port : undefined
      server.close(() => resolve(bound))
    })
  })
}

/**
 * A TCP port free on 127.0.0.1: `preferred` when nothing listens on it, otherwise one the OS assigns.
 *
 * @example
 * const port = await freePort(5432) // 5432, or any free port when 5432 is taken
 */
export async function freePort(preferred?: number): Promise<number> {
  if (preferred !== undefined && preferred > 0) {
    const port = await listen(preferred)
    if (port !== undefined) return port
  }
  const port = await listen(0)
  if (port === undefined) throw new Error('no free TCP port on 127.0.0.1')
  return port
}
