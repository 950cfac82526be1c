import { spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
/** The console's build, which the gateway serves under /console/ (CONSOLE_DIR). */
export const CONSOLE_DIST = join(root, 'clients/console/dist')

/** Builds the console when its dist is missing (npm test builds it before the tests). */
export function ensureConsoleBuilt(): void {
  if (existsSync(join(CONSOLE_DIST, 'index.html'))) return
  const result = spawnSync(
    join(root, 'clients/console/node_modules/.bin/vite'),
    ['build', '--logLevel', 'warn'],
    {
      cwd: join(root, 'clients/console'),
      stdio: 'inherit',
    },
  )
  if (result.status !== 0) throw new Error('the console did not build')
}

/** Debian's Chromium, or CHROMIUM_PATH. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
  if (!existsSync(path) || !statSync(path).isFile())
    throw new Error(`no Chromium at ${path}: install Debian's chromium (.ci/run does) or set CHROMIUM_PATH`)
  return path
}
