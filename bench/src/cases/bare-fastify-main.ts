// The floor of the gateway: a bare fastify route answering the same JSON the gateway answers for
// GET /:customer/task, from memory, with no authentication, no gRPC and no database behind it.
import { readFile } from 'node:fs/promises'
import Fastify from 'fastify'

async function main(): Promise<void> {
  const [payloadFile = ''] = process.argv.slice(2)
  const payload = JSON.parse(await readFile(payloadFile, 'utf8')) as unknown
  const app = Fastify({ logger: false })
  app.get('/:customer/task', async () => payload)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 })
  process.on('message', () => {
    void app.close().finally(() => process.exit(0))
  })
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
