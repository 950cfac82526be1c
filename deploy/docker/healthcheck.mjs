// Container health check without curl in the image: GET http://127.0.0.1:$HEALTH_PORT<path>
// (default /healthz) and exit 0 only on a 200.
import { request } from 'node:http'

const path = process.argv[2] ?? '/healthz'
const raw = process.env.HEALTH_PORT
const port = Number(raw)
if (!Number.isInteger(port) || port <= 0) {
  console.error(`healthcheck: HEALTH_PORT must be a port number, got ${JSON.stringify(raw)}`)
  process.exit(2)
}

const req = request({ host: '127.0.0.1', port, path, method: 'GET', timeout: 3_000 }, (res) => {
  res.resume()
  if (res.statusCode !== 200) console.error(`healthcheck: ${path} answered ${res.statusCode}`)
  process.exit(res.statusCode === 200 ? 0 : 1)
})
req.on('timeout', () => req.destroy(new Error(`no answer from ${path} within 3s`)))
req.on('error', (error) => {
  console.error(`healthcheck: ${error.message}`)
  process.exit(1)
})
req.end()
