// Preloaded (`--import`) into every process the dev platform starts: when the platform process dies
// without stopping its children (SIGKILL, crash of a test worker), the child notices that it was
// re-parented and stops itself, so no service outlives the platform that started it.
const parent = process.ppid
const watchdog = setInterval(() => {
  if (process.ppid === parent) return
  clearInterval(watchdog)
  process.kill(process.pid, 'SIGTERM')
  // A service that does not stop on SIGTERM within its own bound is ended for good.
  setTimeout(() => process.exit(1), 30_000).unref()
}, 1000)
watchdog.unref()
