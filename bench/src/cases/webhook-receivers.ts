import { createServer, type Server } from 'node:http'
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net'
import { wallClockMs } from '../lib/clock.js'

/** First receipt of each delivery (by `webhook-id`), with the bench sequence number its body carries. */
export interface Receipt {
  seq: number
  at: number
}

/** A local receiver that answers 204 at once and notes each delivery's first arrival. */
export class LiveReceiver {
  readonly receipts: Receipt[] = []
  readonly #seen = new Set<string>()
  #server: Server | undefined
  #waiters: { count: number; resolve: () => void }[] = []
  port = 0

  async start(): Promise<void> {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = []
      request.on('data', (chunk: Buffer) => chunks.push(chunk))
      request.on('end', () => {
        const at = wallClockMs()
        const id = String(request.headers['webhook-id'] ?? '')
        const match = /bench-(\d+)/.exec(Buffer.concat(chunks).toString('utf8'))
        if (match !== null && id !== '' && !this.#seen.has(id)) {
          this.#seen.add(id)
          this.receipts.push({ seq: Number(match[1]), at })
          this.#wake()
        }
        response.writeHead(204).end()
      })
    })
    this.#server.keepAliveTimeout = 60_000
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve))
    const address = this.#server.address()
    this.port = typeof address === 'object' && address !== null ? address.port : 0
  }

  /** Resolves once `count` deliveries arrived in all (false after `timeoutMs`). */
  waitFor(count: number, timeoutMs: number): Promise<boolean> {
    if (this.receipts.length >= count) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs)
      this.#waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer)
          resolve(true)
        },
      })
    })
  }

  #wake(): void {
    const ready = this.#waiters.filter((waiter) => this.receipts.length >= waiter.count)
    this.#waiters = this.#waiters.filter((waiter) => this.receipts.length < waiter.count)
    for (const waiter of ready) waiter.resolve()
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections()
    await new Promise((resolve) => this.#server?.close(resolve))
  }
}

/**
 * A dead receiver of the worst kind: it accepts connections and never answers, so every attempt
 * holds its slot until the relay's deadline (WEBHOOK_TIMEOUT). It listens on its own loopback
 * address, another host for the relay's per-host limits.
 */
export class HangingReceiver {
  #server: TcpServer | undefined
  readonly #sockets = new Set<Socket>()
  connections = 0
  port = 0
  readonly host = '127.0.0.2'

  async start(): Promise<void> {
    this.#server = createTcpServer((socket) => {
      this.connections += 1
      this.#sockets.add(socket)
      socket.on('error', () => undefined)
      socket.on('close', () => this.#sockets.delete(socket))
    })
    await new Promise<void>((resolve) => this.#server!.listen(0, this.host, resolve))
    const address = this.#server.address()
    this.port = typeof address === 'object' && address !== null ? address.port : 0
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy()
    await new Promise((resolve) => this.#server?.close(resolve))
  }
}
