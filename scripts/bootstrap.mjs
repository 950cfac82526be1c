#!/usr/bin/env node
// Entry point of `npm start`, `npm test`, `npm run bot` and `npm run build` on a fresh clone:
// installs the workspace with the pinned pnpm when needed, generates the protobuf code when it is
// missing or stale, then runs the command. Only Node.js and npm are assumed.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const [command = 'start', ...args] = process.argv.slice(2)

function run(cmd, argv, options = {}) {
  const result = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', ...options })
  if (result.status !== 0) {
    console.error(`bootstrap: ${cmd} ${argv.join(' ')} failed (${result.status ?? result.signal})`)
    process.exit(result.status ?? 1)
  }
}

const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0)

function newest(dir, suffix) {
  let latest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(suffix))
      latest = Math.max(latest, mtime(join(entry.parentPath, entry.name)))
  }
  return latest
}

function ensureInstalled() {
  const marker = join(root, 'node_modules/.pnpm/lock.yaml')
  if (
    mtime(marker) >= mtime(join(root, 'pnpm-lock.yaml')) &&
    mtime(marker) >= mtime(join(root, 'package.json'))
  )
    return
  console.log(`bootstrap: installing dependencies with ${packageManager}`)
  run('npm', ['exec', '--yes', `--package=${packageManager}`, '--', 'pnpm', 'install', '--frozen-lockfile'], {
    env: { ...process.env, npm_config_update_notifier: 'false' },
  })
}

function ensureGenerated() {
  const gen = join(root, 'proto/src/gen')
  if (existsSync(gen) && mtime(gen) >= newest(join(root, 'proto/taskforge'), '.proto')) return
  console.log('bootstrap: generating protobuf code')
  run(process.execPath, [join(root, 'proto/scripts/generate.mjs')])
}

/** The web console the gateway serves: built when its dist is missing or older than its sources. */
function ensureConsole() {
  const dir = join(root, 'clients/console')
  const built = mtime(join(dir, 'dist/index.html'))
  const sources = Math.max(
    newest(join(dir, 'src'), ''),
    mtime(join(dir, 'index.html')),
    mtime(join(dir, 'vite.config.ts')),
    mtime(join(root, 'clients/sdk/src/gen/api.ts')),
  )
  if (built >= sources) return
  console.log('bootstrap: building the web console')
  run(join(dir, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], { cwd: dir })
}

/** Runs a TypeScript entry point from source: workspace packages resolve through the `source` condition. */
function tsNode(entry, argv) {
  return [process.execPath, ['--conditions=source', '--import', 'tsx', join(root, entry), ...argv]]
}

function exec([cmd, argv]) {
  const child = spawn(cmd, argv, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  })
  // The terminal sends Ctrl-C to the whole process group; the child decides how to stop.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}

ensureInstalled()
ensureGenerated()
switch (command) {
  case 'start':
    ensureConsole()
    exec(tsNode('scripts/start.ts', args))
    break
  case 'test':
    exec([process.execPath, [join(root, 'scripts/test.mjs'), ...args]])
    break
  case 'bot':
    exec(tsNode('services/bot/src/main.ts', args))
    break
  case 'build':
    exec([join(root, 'node_modules/.bin/turbo'), ['run', 'build', ...args]])
    break
  default:
    console.error(`bootstrap: unknown command ${command} (start, test, bot, build)`)
    process.exit(2)
}
