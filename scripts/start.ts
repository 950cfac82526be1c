// `npm start`: the whole platform on this machine, with its data in `.data/` at the repository root
// (kept across restarts). Ctrl-C stops everything.
//
// The platform runs in a child process with a process group of its own: Ctrl-C in a terminal signals
// the whole foreground group, and would otherwise reach nats-server and Postgres at the same moment
// as the services, which then could not stop in order. This process forwards the signal instead.
import { spawn } from 'node:child_process'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const watchdog = pathToFileURL(join(root, 'scripts/platform/parent-watchdog.ts')).href

const runner = spawn(
  process.execPath,
  ['--conditions=source', '--import', 'tsx', '--import', watchdog, join(root, 'scripts/platform/serve.ts')],
  { cwd: root, stdio: 'inherit', detached: true },
)

let forwardedAt: number | undefined
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (forwardedAt === undefined) {
      forwardedAt = Date.now()
      runner.kill('SIGTERM')
      // The terminal and `npm start` both deliver one Ctrl-C: only a later one is the user insisting.
    } else if (Date.now() - forwardedAt > 2000) {
      console.error('still stopping, please wait')
    }
  })
}
runner.on('error', (error) => {
  console.error(`cannot start the platform: ${error.message}`)
  process.exit(1)
})
runner.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 0 : 1)))
