#!/usr/bin/env node
// The `taskforge` command: runs the CLI's TypeScript source the way the workspace runs its
// services (Node with tsx, workspace packages resolved through the `source` condition), in a child
// that gets the terminal, the signals and the exit code.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const entry = fileURLToPath(new URL('../src/main.ts', import.meta.url))
// tsx as this package resolves it, whatever directory the command runs in.
const tsx = import.meta.resolve('tsx')
const child = spawn(
  process.execPath,
  ['--conditions=source', '--import', tsx, entry, ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
)
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1)))
