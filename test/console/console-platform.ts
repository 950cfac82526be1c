import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '@taskforge/testkit'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { expect } from 'vitest'
import { type Platform, startPlatform } from '../../scripts/platform.js'
import { gatewayClient } from '../e2e/support/gateway-client.js'
import { CONSOLE_DIST, chromiumPath, ensureConsoleBuilt } from './console-origin.js'

export type Json = Record<string, unknown>
/** Where the tests write the console's screenshots (docs/console.md shows them). */
export const SHOTS = fileURLToPath(new URL('../../docs/console', import.meta.url))
/** How long a page may take to show what a step waits for. */
export const UI_TIMEOUT = 30_000

/** A real platform with a bot, serving the console, and Chromium signed in as the admin. */
export interface ConsolePlatform {
  platform: Platform
  customer: string
  /** The admin's token. */
  token: string
  botId: string
  /** The gateway's origin, which serves the console under /console/. */
  gateway: string
  browser: Browser
  /** The admin's browser context, and the page it signed in on. */
  admin: BrowserContext
  page: Page
  /** The REST API as a test's setup uses it; every answer is checked against the OpenAPI document. */
  call(
    method: string,
    path: string,
    body?: unknown,
    as?: string,
  ): Promise<{ status: number; body: Json; json: unknown }>
  /** A script and a task that runs it on the platform's bot; answers the task's id. */
  createTask(name: string, content: string, fields?: Json): Promise<string>
  /** Signs in with a token in a new tab of `context`, and waits for the tasks page. */
  signIn(context: BrowserContext, token: string): Promise<Page>
  stop(): Promise<void>
}

export async function startConsolePlatform(options: {
  /** Names the data directory. */
  name: string
  env?: Record<string, string>
  viewport?: { width: number; height: number }
}): Promise<ConsolePlatform> {
  ensureConsoleBuilt()
  await mkdir(SHOTS, { recursive: true })
  const dataDir = await mkdtemp(join(tmpdir(), `taskforge-${options.name}-`))
  let platform: Platform | undefined
  let browser: Browser | undefined
  const stop = async () => {
    await browser?.close()
    await platform?.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
  try {
    platform = await startPlatform({
      dataDir,
      persistent: false,
      gatewayPort: await freePort(),
      withBot: true,
      log: () => {},
      env: { ...options.env, CONSOLE_DIR: CONSOLE_DIST },
    })
    const { customer, gateway_url: gateway, admin_token: token } = platform.credentials
    const botId = platform.credentials.bot.id
    const call: ConsolePlatform['call'] = async (method, path, body, as = token) => {
      const answer = await gatewayClient(gateway)(method, path, { token: as, json: body })
      return { status: answer.status, body: answer.body as Json, json: answer.json }
    }
    const createTask: ConsolePlatform['createTask'] = async (name, content, fields = {}) => {
      const script = await call('POST', `/${customer}/script`, { filename: `${name}.sh`, content })
      expect(script.status).toBe(201)
      const task = await call('POST', `/${customer}/task`, {
        name,
        host_id: botId,
        script_id: script.body.id,
        ...fields,
      })
      expect(task.status).toBe(201)
      return String(task.body.id)
    }
    const signIn: ConsolePlatform['signIn'] = async (context, withToken) => {
      const tab = await context.newPage()
      await tab.goto(`${gateway}/console/`)
      await tab.getByLabel('Access token').fill(withToken)
      await tab.getByRole('button', { name: 'Sign in' }).click()
      await tab.getByRole('heading', { name: 'Tasks' }).waitFor({ timeout: UI_TIMEOUT })
      return tab
    }
    browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] })
    const admin = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 } })
    const page = await signIn(admin, token)
    return {
      platform,
      customer,
      token,
      botId,
      gateway,
      browser,
      admin,
      page,
      call,
      createTask,
      signIn,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
