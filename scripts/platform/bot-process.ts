import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ServiceProcess } from './service-process.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const WATCHDOG = pathToFileURL(join(ROOT, 'scripts/platform/parent-watchdog.ts')).href

export interface BotProcessOptions {
  name: string
  /** The bot's credentials file (the REST answer of its registration). */
  credentialsFile: string
  workDir: string
  /** More command-line options of the agent (`--concurrency 4`, `--kill-grace 1s`, ...). */
  args?: string[]
  env: NodeJS.ProcessEnv
  log(line: string): void
  color?: boolean
}

/**
 * A bot agent as its own process, as `npm run bot -- --credentials <file>` starts it (from source,
 * ended with its parent): the platform's local bot, and the bots tests and benchmarks run. Ready
 * when it logs `bot started`.
 */
export function botProcess(options: BotProcessOptions): ServiceProcess {
  return new ServiceProcess({
    name: options.name,
    command: process.execPath,
    args: [
      '--conditions=source',
      '--import',
      'tsx',
      '--import',
      WATCHDOG,
      join(ROOT, 'services/bot/src/main.ts'),
      '--credentials',
      options.credentialsFile,
      '--work-dir',
      options.workDir,
      ...(options.args ?? []),
    ],
    cwd: ROOT,
    env: options.env,
    log: options.log,
    ...(options.color === undefined ? {} : { color: options.color }),
  })
}
