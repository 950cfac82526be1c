// A peer's worker in its own process, as its users deploy it beside the application that enqueues.
// Its handler either notes its own wall-clock start (a bare peer) or spawns the job's marker script
// as the bot does and notes when it ended (the script stamps its own start); the times go to the
// bench over IPC.
import { wallClockMs } from '../lib/clock.js'
import { BOT_SPAWN_DEFAULTS, spawnScript } from '../lib/spawn-script.js'
import type { PeerStore } from './peer.js'
import { isPeerId, PEERS } from './registry.js'
import type { FromWorker, ToWorker } from './worker-protocol.js'

function send(message: FromWorker): void {
  process.send?.(message)
}

async function main(): Promise<void> {
  const [peerId = '', storeJson = '', concurrencyText = '', script = ''] = process.argv.slice(2)
  if (!isPeerId(peerId)) throw new Error(`unknown peer ${peerId}`)
  const store = JSON.parse(storeJson) as PeerStore
  let expected: { from: number; count: number; starts: number[]; seen: number } | undefined

  const note = (seq: number) => {
    const now = wallClockMs()
    if (expected === undefined) return
    const index = seq - expected.from
    if (index < 0 || index >= expected.count || expected.starts[index] !== 0) return
    expected.starts[index] = now
    expected.seen += 1
    if (expected.seen === expected.count) {
      send({ type: 'done', from: expected.from, starts: expected.starts })
      expected = undefined
    }
  }
  const spawnJob = async (seq: number) => {
    const end = await spawnScript(script, {
      ...BOT_SPAWN_DEFAULTS,
      env: { PATH: process.env.PATH, TASKFORGE_JOB_ID: String(seq) },
    })
    if (end.code !== 0) throw new Error(`job ${seq}: the script ended ${end.code ?? end.signal}`)
    note(seq)
  }
  const worker = await PEERS[peerId].worker(store, Number(concurrencyText), script === '' ? note : spawnJob)
  process.on('message', (message: ToWorker) => {
    if (message.type === 'expect') {
      expected = {
        from: message.from,
        count: message.count,
        starts: new Array(message.count).fill(0),
        seen: 0,
      }
      send({ type: 'expecting', from: message.from })
    } else if (message.type === 'stop') {
      void worker.close().finally(() => process.exit(0))
    }
  })
  send({ type: 'ready' })
}

main().catch((error: unknown) => {
  send({ type: 'error', message: (error as Error).stack ?? String(error) })
  process.exit(1)
})
