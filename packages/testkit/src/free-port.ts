import { readFileSync } from 'node:fs'
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
 * Where the ports handed out lie: below the range the OS takes the local ports of outgoing
 * connections from (Linux's `ip_local_port_range`, 32768 and up by default). A port from that range
 * can be free when asked and taken a moment later by a connection to Postgres or NATS, before the
 * server it was meant for binds it.
 */
function listeningRange(): { low: number; high: number } {
  let ephemeralLow = 32_768
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)
    if (Number(low) > 11_000) ephemeralLow = Number(low)
  } catch {
    // Not Linux: its default.
  }
  return { low: 10_000, high: ephemeralLow - 1 }
}

/**
 * A TCP port free on 127.0.0.1: `preferred` when nothing listens on it, otherwise one picked at
 * random below the OS's range for outgoing connections (see {@link listeningRange}), or, when none
 * of a few is free, one the OS assigns.
 *
 * @example
 * const port = await freePort(5432) // 5432, or any free port when 5432 is taken
 */
export async function freePort(preferred?: number): Promise<number> {
  if (preferred !== undefined && preferred > 0) {
    const port = await listen(preferred)
    if (port !== undefined) return port
  }
  const { low, high } = listeningRange()
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await listen(low + Math.floor(Math.random() * (high - low + 1)))
    if (port !== undefined) return port
  }
  const port = await listen(0)
  if (port === undefined) throw new Error('no free TCP port on 127.0.0.1')
  return port
}
