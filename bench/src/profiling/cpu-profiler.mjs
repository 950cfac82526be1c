// Preloaded into every platform process of a profiled bench run (NODE_OPTIONS=--import ...), since
// Node.js 20 refuses --cpu-prof in NODE_OPTIONS. Samples the main thread from start to exit, as
// --cpu-prof does, and writes `<BENCH_CPU_PROFILE_DIR>/profile-<pid>.cpuprofile` when the process exits.
// Plain JavaScript: NODE_OPTIONS imports load before the TypeScript loader.
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { join } from 'node:path'
import { isMainThread } from 'node:worker_threads'

const dir = process.env.BENCH_CPU_PROFILE_DIR
if (dir && isMainThread) {
  const session = new Session()
  session.connect()
  session.post('Profiler.enable')
  session.post('Profiler.setSamplingInterval', { interval: 1000 })
  session.post('Profiler.start')
  process.once('exit', () => {
    // An in-thread session answers synchronously, so this still runs inside the exit handler.
    session.post('Profiler.stop', (error, result) => {
      if (error || !result) return
      writeFileSync(join(dir, `profile-${process.pid}.cpuprofile`), JSON.stringify(result.profile))
    })
  })
}
