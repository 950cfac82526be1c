import { AddressPolicy } from './src/ssrf/address-policy.js'
import { WebhookSender } from './src/delivery/webhook-sender.js'
import { signatureHeaders } from './src/delivery/signature.js'
const sender = new WebhookSender({ policy: new AddressPolicy(['127.0.0.0/8']), timeoutMs: 10_000, maxResponseBytes: 64 * 1024 })
const body = JSON.stringify({ event_name: 'task.update', event_data: { task: { id: 'x'.repeat(26), name: 'bench', description: 'bench-1' } }, event_author: 'a' })
const N = 20000
let done = 0
const abort = new AbortController()
const t0 = performance.now(); const c0 = process.cpuUsage()
await Promise.all(Array.from({ length: 16 }, async (_, w) => {
  while (done < N) {
    done++
    const now = new Date()
    const r = await sender.send({ url: `http://127.0.0.1:39999/hook/${w}?token=abc`, body, headers: { 'content-type': 'application/json', 'user-agent': 'x', ...signatureHeaders(['whsec_abc'], 'id' + done, Math.floor(now.getTime() / 1000), body) }, signal: abort.signal })
    if (r.outcome !== 'success') throw new Error(JSON.stringify(r))
  }
}))
const c = process.cpuUsage(c0); const t = performance.now() - t0
console.log(`${(N / (t / 1000)).toFixed(0)} req/s, CPU ${((c.user + c.system) / 1000 / N).toFixed(3)} ms/req`)
sender.close()
