import { once } from 'node:events'
import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A proxy in front of the gateway that cuts the first followed log's connection once some bytes of
 * its body went through: the client sees a dropped connection in the middle of the stream.
 */
export async function droppingProxy(target: string, dropAfterBytes: number) {
  const upstream = new URL(target)
  let dropped = 0
  const server: Server = createServer((req, res) => {
    const cut = dropped === 0 && (req.url ?? '').includes('/log?follow=true')
    if (cut) dropped += 1
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        let sent = 0
        answer.on('data', (chunk: Buffer) => {
          if (cut && sent + chunk.length > dropAfterBytes) {
            res.write(chunk.subarray(0, dropAfterBytes - sent))
            answer.destroy()
            res.socket?.destroy()
            return
          }
          sent += chunk.length
          res.write(chunk)
        })
        answer.on('end', () => res.end())
      },
    )
    req.pipe(forward)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    drops: () => dropped,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
