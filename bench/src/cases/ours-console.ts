import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { get } from 'node:http'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Page } from 'playwright-core'
import { stringField } from '../lib/json-client.js'
import type { CaseResult } from '../results/model.js'
import { Series } from '../results/series.js'
import { startBenchPlatform } from './bench-platform.js'
import type { CaseContext } from './case.js'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const CONSOLE = join(ROOT, 'clients/console')
const DIST = join(CONSOLE, 'dist')
const JOBS = 10_000
const LOG_LINES = 200_000
const PARALLEL_RUNS = 16

/** The bytes the gateway sends for `path` with `accept-encoding: br, gzip` (compressed, as a browser gets them). */
function compressedSize(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { 'accept-encoding': 'br, gzip' } }, (answer) => {
      let bytes = 0
      answer.on('data', (chunk: Buffer) => {
        bytes += chunk.length
      })
      answer.on('end', () =>
        answer.statusCode === 200 ? resolve(bytes) : reject(new Error(`${url}: ${answer.statusCode}`)),
      )
    }).on('error', reject)
  })
}

/** Every script the console's first page loads: its entry and the modules it preloads. */
async function firstLoadScripts(gateway: string): Promise<string[]> {
  const html = await (await fetch(`${gateway}/console/`)).text()
  const found = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+\.js)"/g)].map((m) => m[1]!)
  if (found.length === 0) throw new Error('the console page names no script')
  return found.map((path) => new URL(path, `${gateway}/console/`).href)
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const started = performance.now()
  await fn()
  return performance.now() - started
}

/**
 * The console's budgets (issue 17): the compressed script of a first load; a jobs page opened
 * with 10,000 jobs in the organization, until its first page of rows is drawn; a 200,000-line log
 * opened and scrolled to its end, until its last line is drawn. A real platform and bot; Debian's
 * Chromium (CHROMIUM_PATH) driven by playwright-core.
 */
export async function oursConsole(ctx: CaseContext): Promise<CaseResult> {
  if (!existsSync(join(DIST, 'index.html'))) {
    const built = spawnSync(join(CONSOLE, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], {
      cwd: CONSOLE,
      stdio: 'inherit',
    })
    if (built.status !== 0) throw new Error('the console did not build')
  }
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
  if (!existsSync(executablePath))
    throw new Error(`no Chromium at ${executablePath} (Debian package chromium)`)
  const series = new Series()
    .declare('script.kb', 'first load: script, compressed (br)', 'size', 'KB')
    .declare(
      'jobs.ms',
      `jobs page interactive, ${JOBS.toLocaleString('en-US')} jobs in the organization`,
      'duration',
    )
    .declare(
      'log.ms',
      `${LOG_LINES.toLocaleString('en-US')}-line log opened and scrolled to its end`,
      'duration',
    )
    .declare(
      'log.tail.ms',
      `last 100 lines of the ${LOG_LINES.toLocaleString('en-US')}-line log (API)`,
      'duration',
    )
    .declare('small.tail.ms', 'last 100 lines of a 10-line log (API)', 'duration')
  const notes: string[] = []
  const bp = await startBenchPlatform({
    botConcurrency: 4,
    env: {
      CONSOLE_DIR: DIST,
      // 10,000 jobs queued on one task of an offline bot: past the default queue bounds and run rate.
      MAX_QUEUED_JOBS_PER_TASK: String(JOBS * 2),
      MAX_QUEUED_JOBS_PER_ORGANIZATION: String(JOBS * 2),
      GATEWAY_RUNS_PER_SECOND: String(JOBS),
    },
    botArgs: ['--output-limit', String(64 * 1024 * 1024)],
    log: ctx.log,
  })
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] })
  try {
    const gateway = bp.platform.credentials.gateway_url
    const customer = bp.customer
    ctx.log(`console: running ${JOBS} jobs on an offline bot and one ${LOG_LINES}-line log`)
    const offline = await bp.api.expect(201, 'POST', `/${customer}/bot`, { name: 'bench-offline' })
    const script = await bp.api.expect(201, 'POST', `/${customer}/script`, {
      filename: 'big.sh',
      content: `#!/bin/sh\nawk 'BEGIN { for (i = 1; i <= ${LOG_LINES}; i++) printf "line %06d\\n", i }'\n`,
    })
    const queued = await bp.api.expect(201, 'POST', `/${customer}/task`, {
      name: 'bench queued',
      host_id: stringField(offline, 'id'),
      script_id: stringField(script, 'id'),
      multitasking: true,
    })
    let next = 0
    await Promise.all(
      Array.from({ length: PARALLEL_RUNS }, async () => {
        while (next < JOBS - 1) {
          next++
          await bp.api.expect(201, 'POST', `/${customer}/task/${stringField(queued, 'id')}/job`, {
            task_arguments: [],
          })
        }
      }),
    )
    const big = await bp.api.expect(201, 'POST', `/${customer}/task`, {
      name: 'bench big log',
      host_id: bp.botId,
      script_id: stringField(script, 'id'),
      timeout: 600,
    })
    const bigJob = await bp.api.expect(201, 'POST', `/${customer}/task/${stringField(big, 'id')}/job`, {
      task_arguments: [],
    })
    const bigJobId = stringField(bigJob, 'id')
    const smallScript = await bp.api.expect(201, 'POST', `/${customer}/script`, {
      filename: 'small.sh',
      content: '#!/bin/sh\nseq 1 10\n',
    })
    const small = await bp.api.expect(201, 'POST', `/${customer}/task`, {
      name: 'bench small log',
      host_id: bp.botId,
      script_id: stringField(smallScript, 'id'),
    })
    const smallJobId = stringField(
      await bp.api.expect(201, 'POST', `/${customer}/task/${stringField(small, 'id')}/job`, {
        task_arguments: [],
      }),
      'id',
    )
    for (const id of [bigJobId, smallJobId]) {
      for (;;) {
        const job = await bp.api.expect(200, 'GET', `/${customer}/job/${id}`)
        if (['finished', 'terminated', 'canceled'].includes(stringField(job, 'lifecycle'))) break
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
    }
    /** One `tail=100` range of a job's log through the API, as the console's log viewer first asks it. */
    const tailMs = (id: string) =>
      timed(async () => {
        const answer = await fetch(`${gateway}/${customer}/job/${id}/log?tail=100`, {
          headers: { authorization: `Bearer ${bp.platform.credentials.admin_token}` },
        })
        if (answer.status !== 200) throw new Error(`tail of ${id}: ${answer.status}`)
        await answer.json()
      })

    // What the log holds as the job ended (a bot under load may have been cut short): its count
    // and its last line are what the page must show.
    const text = await (
      await fetch(`${gateway}/${customer}/job/${bigJobId}/log`, {
        headers: { authorization: `Bearer ${bp.platform.credentials.admin_token}` },
      })
    ).text()
    const lines = text.split('\n')
    if (lines.at(-1) === '') lines.pop()
    const lastLine = lines.at(-1) ?? ''
    ctx.log(`console: the big log has ${lines.length} lines`)
    notes.push(
      `the big log as the job ended: ${lines.length.toLocaleString('en-US')} lines, ${text.length} bytes`,
    )
    const scripts = await firstLoadScripts(gateway)
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const page: Page = await context.newPage()
    await page.goto(`${gateway}/console/`)
    await page.getByLabel('Access token').fill(bp.platform.credentials.admin_token)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Tasks' }).waitFor({ timeout: 30_000 })
    for (let rep = 0; rep < ctx.repetitions; rep++) {
      let bytes = 0
      for (const url of scripts) bytes += await compressedSize(url)
      series.add('script.kb', bytes / 1024)
      for (let i = 0; i < 5; i++) {
        series.add('log.tail.ms', await tailMs(bigJobId))
        series.add('small.tail.ms', await tailMs(smallJobId))
      }
      // A fresh page each time: the whole console loads, resumes its session and lists the jobs.
      await page.goto('about:blank')
      const jobsMs = await timed(async () => {
        await page.goto(`${gateway}/console/#/jobs`)
        await page.locator('[data-testid="jobs"] tbody tr:has(a)').nth(49).waitFor({ timeout: 60_000 })
      })
      series.add('jobs.ms', jobsMs)
      await page.goto('about:blank')
      let logMs = Number.NaN
      try {
        logMs = await timed(async () => {
          await page.goto(`${gateway}/console/#/job/${bigJobId}`)
          await page
            .getByTestId('log-count')
            .getByText(`${lines.length.toLocaleString('en-US')} lines`)
            .waitFor({ timeout: 60_000 })
          await page.getByTestId('log').evaluate((box) => {
            box.scrollTop = box.scrollHeight
          })
          await page.getByTestId('log').getByText(lastLine, { exact: true }).waitFor({ timeout: 60_000 })
        })
        series.add('log.ms', logMs)
      } catch (error) {
        notes.push(
          `repetition ${rep + 1}: the big log was not drawn to its end: ${(error as Error).message.split('\n')[0]}`,
        )
      }
      ctx.log(
        `console ${rep + 1}/${ctx.repetitions}: script ${(bytes / 1024).toFixed(1)} KB, jobs page ${Math.round(jobsMs)} ms, big log ${Math.round(logMs)} ms`,
      )
    }
    await context.close()
  } finally {
    await browser.close()
    await bp.stop()
  }
  return {
    id: 'ours.console',
    title: 'Web console budgets',
    group: 'ours',
    settings: {
      browser: 'Debian Chromium, headless, driven by playwright-core',
      jobs: JOBS,
      logLines: LOG_LINES,
      measured:
        'navigation start → first 50 job rows drawn; → log count shown, scrolled to the end, last line drawn',
    },
    metrics: series.metrics(),
    notes,
  }
}
