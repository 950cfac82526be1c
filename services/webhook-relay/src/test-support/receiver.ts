import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request a test receiver got. */
export interface ReceivedRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: Record<string, string>
  body: string
}

/** How a receiver answers: status, body, headers; or `hang` to never answer. */
export interface Answer {
  status?: number
  body?: string
  headers?: Record<string, string>
  hang?: boolean
}

export type Behaviour = (request: ReceivedRequest) => Answer | Promise<Answer>

/**
 * A local HTTP receiver for webhook tests: records every request, answers as told, and can go down
 * (connections refused) and come back up on the same port.
 */
export class TestReceiver {
  readonly requests: ReceivedRequest[] = []
  #behaviour: Behaviour
  #server: Server | undefined
  #port = 0
  readonly #hanging = new Set<ServerResponse>()

  private constructor(behaviour: Behaviour) {
    this.#behaviour = behaviour
  }

  static async start(
    behaviour: Behaviour = () => ({ status: 200 }),
    host = '127.0.0.1',
  ): Promise<TestReceiver> {
    const receiver = new TestReceiver(behaviour)
    await receiver.#listen(host)
    return receiver
  }

  /** Base URL, e.g. http://127.0.0.1:40123 */
  get origin(): string {
    return `http://127.0.0.1:${this.#port}`
  }

  get port(): number {
    return this.#port
  }

  /** Requests held open by a `hang` answer right now. */
  get hanging(): number {
    return this.#hanging.size
  }

  behave(behaviour: Behaviour): void {
    this.#behaviour = behaviour
  }

  /** Bodies of the received requests, parsed. */
  bodies<T = Record<string, unknown>>(): T[] {
    return this.requests.map((request) => JSON.parse(request.body) as T)
  }

  /** Stops listening: new connections are refused until {@link up}. */
  async down(): Promise<void> {
    const server = this.#server
    this.#server = undefined
    if (server === undefined) return
    for (const response of this.#hanging) response.destroy()
    this.#hanging.clear()
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  async up(): Promise<void> {
    if (this.#server === undefined) await this.#listen('127.0.0.1', this.#port)
  }

  close(): Promise<void> {
    return this.down()
  }

  async #listen(host: string, port = 0): Promise<void> {
    const server = createServer((request, response) => void this.#handle(request, response))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => resolve())
    })
    this.#server = server
    this.#port = (server.address() as AddressInfo).port
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const url = new URL(request.url ?? '/', 'http://receiver')
    const headers: Record<string, string> = {}
    for (const [key, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value
    }
    const received: ReceivedRequest = {
      method: request.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers,
      body: Buffer.concat(chunks).toString('utf8'),
    }
    this.requests.push(received)
    const answer = await this.#behaviour(received)
    if (answer.hang) {
      this.#hanging.add(response)
      response.on('close', () => this.#hanging.delete(response))
      return
    }
    response.writeHead(answer.status ?? 200, { 'content-type': 'text/plain', ...answer.headers })
    response.end(answer.body ?? 'ok')
  }
}
