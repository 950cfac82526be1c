#!/usr/bin/env node
// `npm test`: lint and format check, protobuf lint and breaking-change check, type check of every
// package, a build of the web console, then every test (unit, integration against real Postgres and
// NATS, end to end, the console's in a real browser).
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => join(root, 'node_modules/.bin', name)
// turbo looks for the package manager on PATH: the workspace's own pinned pnpm.
const env = {
  ...process.env,
  PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
  TURBO_TELEMETRY_DISABLED: '1',
  FORCE_COLOR: process.env.CI ? '0' : '1',
}

const steps = [
  ['lint', bin('biome'), ['check', '.']],
  ['proto lint', join(root, 'proto/node_modules/.bin/buf'), ['lint'], { cwd: join(root, 'proto') }],
  ['proto breaking', process.execPath, [join(root, 'proto/scripts/breaking.mjs')]],
  ['typecheck', bin('turbo'), ['run', 'typecheck', '--output-logs=errors-only']],
  ['typecheck scripts and tests', bin('tsc'), ['-p', 'scripts/tsconfig.json', '--noEmit']],
  // The browser tests open the built console.
  [
    'build console',
    join(root, 'clients/console/node_modules/.bin/vite'),
    ['build', '--logLevel', 'warn'],
    { cwd: join(root, 'clients/console') },
  ],
  ['tests', bin('vitest'), ['run', ...process.argv.slice(2)]],
]
for (const [name, cmd, args, options = {}] of steps) {
  console.log(`\n== ${name}`)
  const started = Date.now()
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env, ...options })
  if (result.status !== 0) {
    console.error(`\n${name} failed (${result.status ?? result.signal})`)
    process.exit(result.status ?? 1)
  }
  console.log(`== ${name}: ok in ${((Date.now() - started) / 1000).toFixed(1)}s`)
}
