import { spawn } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { expectStatus, idOf } from '../e2e/support/fixtures.js'
import { type InProcessPlatform, startInProcessPlatform } from '../e2e/support/in-process-platform.js'
import { droppingProxy } from './dropping-proxy.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '../..')
/** The command as `npx taskforge` runs it: the package's bin launcher. */
const BIN = join(root, 'clients/cli/bin/taskforge.mjs')

const LINES = 40
const SCRIPTS = {
  lines: `#!/bin/sh\ni=1\nwhile [ $i -le ${LINES} ]; do echo "line $i of $1 ✓"; i=$((i+1)); sleep 0.02; done\n`,
  fail: '#!/bin/sh\necho "about to fail"\nexit 1\n',
  sleep: '#!/bin/sh\necho sleeping\nsleep 60\n',
}

interface Outcome {
  code: number | null
  stdout: string
  stderr: string
}

interface Running {
  /** Resolves with the first line the process writes to `stream`. */
  firstLine(stream: 'stdout' | 'stderr'): Promise<string>
  done: Promise<Outcome>
}

/**
 * The CLI as a process, as a user starts it: no TASKFORGE_* from the test's own environment and
 * an empty config home unless `env` says otherwise. Spawned asynchronously: the platform answering
 * it runs in this process.
 */
function start(args: string[], env: Record<string, string> = {}, stdin?: string): Running {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('TASKFORGE_')),
  )
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: root,
    env: { ...clean, XDG_CONFIG_HOME: join(tmpdir(), 'taskforge-cli-no-config'), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  child.stdin.end(stdin ?? '')
  const out = { stdout: '', stderr: '' }
  const waiting: { stream: 'stdout' | 'stderr'; resolve: (line: string) => void }[] = []
  const feed = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    out[stream] += chunk.toString('utf8')
    for (const waiter of waiting.filter((w) => w.stream === stream && out[stream].includes('\n'))) {
      waiting.splice(waiting.indexOf(waiter), 1)
      waiter.resolve(out[stream].split('\n')[0] ?? '')
    }
  }
  child.stdout.on('data', feed('stdout'))
  child.stderr.on('data', feed('stderr'))
  const done = new Promise<Outcome>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout: out.stdout, stderr: out.stderr })),
  )
  return {
    firstLine: (stream) =>
      out[stream].includes('\n')
        ? Promise.resolve(out[stream].split('\n')[0] ?? '')
        : new Promise((resolve, reject) => {
            waiting.push({ stream, resolve })
            void done.then((o) =>
              reject(new Error(`exited ${o.code} before a line on ${stream}: ${o.stderr}`)),
            )
          }),
    done,
  }
}

describe('taskforge CLI against a real platform and bot', () => {
  let platform: InProcessPlatform
  let env: Record<string, string>
  let dir: string
  const taskIds: Record<string, string> = {}

  const cli = (args: string[], extra: Record<string, string> = {}, stdin?: string) =>
    start(args, { ...env, ...extra }, stdin).done
  const storedLog = async (jobId: string) =>
    (
      await expectStatus(platform.call, 200, 'GET', `/${platform.customer}/job/${jobId}/log`, {
        token: platform.adminToken,
      })
    ).text
  const job = async (jobId: string) =>
    (
      await expectStatus(platform.call, 200, 'GET', `/${platform.customer}/job/${jobId}`, {
        token: platform.adminToken,
      })
    ).body

  beforeAll(async () => {
    platform = await startInProcessPlatform()
    dir = await mkdtemp(join(tmpdir(), 'taskforge-cli-'))
    const token = platform.adminToken
    const create = async (name: string, script: string, task: Record<string, unknown> = {}) => {
      const created = await expectStatus(platform.call, 201, 'POST', `/${platform.customer}/script`, {
        token,
        json: { filename: `${name}.sh`, content: script },
      })
      const answer = await expectStatus(platform.call, 201, 'POST', `/${platform.customer}/task`, {
        token,
        json: { name, host_id: platform.botId, script_id: idOf(created), ...task },
      })
      taskIds[name] = idOf(answer)
    }
    await create('lines', SCRIPTS.lines, { task_arguments: [{ order: 0, type: 'input', label: 'who' }] })
    await create('fail', SCRIPTS.fail)
    await create('sleep', SCRIPTS.sleep, { multitasking: true })
    await create('slow', SCRIPTS.sleep, { timeout: 1 })
    env = {
      TASKFORGE_URL: platform.gatewayUrl,
      TASKFORGE_TOKEN: token,
      TASKFORGE_CUSTOMER: platform.customer,
    }
  })
  afterAll(async () => {
    await platform?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('runs a task by name and prints only the job id; --wait exits 0 on success', async () => {
    const submitted = await cli(['run', 'lines', 'cli'])
    expect(submitted.code, submitted.stderr).toBe(0)
    const id = submitted.stdout.trim()
    expect(submitted.stdout).toBe(`${id}\n`)
    expect(await job(id)).toMatchObject({ task_id: taskIds.lines, task_arguments_values: ['cli'] })

    const waited = await cli(['run', taskIds.lines as string, 'waited', '--wait'])
    expect(waited.code, waited.stderr).toBe(0)
    const waitedId = waited.stdout.trim()
    expect(await job(waitedId)).toMatchObject({ lifecycle: 'finished', state: 'success' })
    expect(waited.stderr).toContain(`job ${waitedId} finished: success`)
  })

  it('--follow prints the job id on stderr first, then the log exactly as stored', async () => {
    const running = start(['run', 'lines', 'follow', '--follow'], env)
    const id = await running.firstLine('stderr')
    const outcome = await running.done
    expect(outcome.code, outcome.stderr).toBe(0)
    expect(outcome.stdout).toBe(await storedLog(id))
    expect(outcome.stdout.split('\n').filter(Boolean)).toEqual(
      Array.from({ length: LINES }, (_, i) => `line ${i + 1} of follow ✓`),
    )
    const logs = await cli(['jobs', 'logs', id])
    expect(logs.stdout).toBe(outcome.stdout)
    const followed = await cli(['jobs', 'logs', '-f', id])
    expect(followed.stdout).toBe(outcome.stdout)
  })

  it('--follow resumes a dropped connection, losing and repeating no line', async () => {
    const proxy = await droppingProxy(platform.gatewayUrl, 200)
    try {
      const outcome = await cli(['run', 'lines', 'cut', '--follow', '--url', proxy.url])
      expect(outcome.code, outcome.stderr).toBe(0)
      expect(proxy.drops()).toBe(1)
      expect(outcome.stderr).toContain('log connection lost, reading on')
      const id = outcome.stderr.split('\n')[0] ?? ''
      expect(outcome.stdout).toBe(await storedLog(id))
      expect(outcome.stdout.split('\n').filter(Boolean)).toEqual(
        Array.from({ length: LINES }, (_, i) => `line ${i + 1} of cut ✓`),
      )
    } finally {
      await proxy.close()
    }
  })

  it('exits 2 when the script fails (exit 1)', async () => {
    const outcome = await cli(['run', 'fail', '--wait'])
    expect(outcome.code, outcome.stderr).toBe(2)
    expect(await job(outcome.stdout.trim())).toMatchObject({ lifecycle: 'finished', state: 'failure' })
    const followed = await cli(['run', 'fail', '--follow'])
    expect(followed.code).toBe(2)
    expect(followed.stdout).toBe('about to fail\n')
  })

  it('exits 3 when the job is canceled while it waits', async () => {
    const running = start(['run', 'sleep', '--wait'], env)
    const id = await running.firstLine('stdout')
    const cancel = await cli(['jobs', 'cancel', id, '--reason', 'test'])
    expect(cancel.code, cancel.stderr).toBe(0)
    const outcome = await running.done
    expect(outcome.code, outcome.stderr).toBe(3)
    expect(await job(id)).toMatchObject({ lifecycle: 'canceled' })
  })

  it('exits 4 when the job times out', async () => {
    const outcome = await cli(['run', 'slow', '--follow'])
    expect(outcome.code, outcome.stderr).toBe(4)
    expect(outcome.stdout).toBe('sleeping\n')
    const id = outcome.stderr.split('\n')[0] ?? ''
    expect(await job(id)).toMatchObject({ lifecycle: 'terminated', state: 'timeout' })
  })

  it('exits 124 when its own --wait limit comes first, the job still running', async () => {
    for (const args of [['--wait=1s'], ['--wait=1s', '--follow']]) {
      const outcome = await cli(['run', 'sleep', ...args])
      expect(outcome.code, outcome.stderr).toBe(124)
      const id = (args.includes('--follow') ? outcome.stderr : outcome.stdout).split('\n')[0] ?? ''
      expect(outcome.stderr).toContain('stopped waiting after 1s')
      expect(['onhold', 'ready', 'assigned']).toContain((await job(id)).lifecycle)
      expect((await cli(['jobs', 'cancel', id])).code).toBe(0)
    }
  })

  it('exits 1 on a usage or API error, saying what is wrong on stderr', async () => {
    const badFlag = await cli(['run', 'lines', '--no-such-flag'])
    expect(badFlag.code).toBe(1)
    expect(badFlag.stderr).toContain("unknown option '--no-such-flag'")
    const badWait = await cli(['run', 'lines', 'x', '--wait=soon'])
    expect(badWait.code).toBe(1)
    expect(badWait.stderr).toContain('not a duration')
    const unknown = await cli(['run', 'no-such-task'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('no task has the id or name no-such-task')
    const apiError = await cli(['jobs', 'get', 'no-such-job'])
    expect(apiError.code).toBe(1)
    expect(apiError.stderr).toContain('NOT_FOUND')
    const tooMany = await cli(['run', 'fail', 'unexpected-argument'])
    expect(tooMany.code).toBe(1)
    expect(tooMany.stderr).toContain('VALIDATION_FAILED')
    const noToken = await cli(['tasks'], { TASKFORGE_TOKEN: '' })
    expect(noToken.code).toBe(1)
    expect(noToken.stderr).toMatch(/UNAUTHENTICATED|HTTP 401/)
    expect(noToken.stdout).toBe('')
  })

  it('takes arguments as JSON from a file or stdin, and an idempotency key', async () => {
    const file = join(dir, 'args.json')
    await writeFile(file, '["from file"]')
    const fromFile = await cli(['run', 'lines', '--arg-json', `@${file}`, '--wait'])
    expect(fromFile.code, fromFile.stderr).toBe(0)
    expect(await job(fromFile.stdout.trim())).toMatchObject({ task_arguments_values: ['from file'] })
    const fromStdin = await cli(
      ['run', 'lines', '--arg-json', '-', '--idempotency-key', 'k-1'],
      {},
      '["stdin"]',
    )
    expect(fromStdin.code, fromStdin.stderr).toBe(0)
    const again = await cli(['run', 'lines', '--arg-json', '-', '--idempotency-key', 'k-1'], {}, '["stdin"]')
    expect(again.stdout).toBe(fromStdin.stdout)
  })

  it('prints -o json and -o yaml that parse back to what the API answers', async () => {
    const ran = await cli(['run', 'lines', 'listed', '--wait'])
    const id = ran.stdout.trim()
    const asJson = await cli(['jobs', 'list', '-o', 'json'])
    expect(asJson.code, asJson.stderr).toBe(0)
    const listed = JSON.parse(asJson.stdout) as { id: string }[]
    expect(listed.find((j) => j.id === id)).toEqual(await job(id))
    const asYaml = await cli(['jobs', 'get', id, '-o', 'yaml'])
    expect(parseYaml(asYaml.stdout)).toEqual(await job(id))
    const tasks = await cli(['tasks', '-o', 'json'])
    expect((JSON.parse(tasks.stdout) as { name: string }[]).map((t) => t.name).sort()).toEqual(
      ['fail', 'lines', 'sleep', 'slow'].sort(),
    )
    const table = await cli(['jobs', 'list', '--task', 'lines'])
    expect(table.stdout.split('\n')[0]).toMatch(/^ID +NAME +LIFECYCLE +STATE/)
    expect(table.stdout).toContain(id)
    // A run with -o json prints the job id on stderr and the ended job as JSON on stdout.
    const document = await cli(['run', 'lines', 'doc', '--wait', '-o', 'json'])
    const ended = JSON.parse(document.stdout) as { id: string; state: string }
    expect(ended).toMatchObject({ id: document.stderr.split('\n')[0], state: 'success' })
    for (const command of [['bots'], ['tokens'], ['scripts'], ['subscriptions']]) {
      const answer = await cli([...command, '-o', 'json'])
      expect(answer.code, `${command}: ${answer.stderr}`).toBe(0)
      expect(Array.isArray(JSON.parse(answer.stdout))).toBe(true)
    }
  })

  it('reruns a job with the same arguments', async () => {
    const first = await cli(['run', 'lines', 'again', '--wait'])
    const rerun = await cli(['jobs', 'rerun', first.stdout.trim(), '--wait'])
    expect(rerun.code, rerun.stderr).toBe(0)
    const id = rerun.stdout.trim()
    expect(id).not.toBe(first.stdout.trim())
    expect(await job(id)).toMatchObject({ task_id: taskIds.lines, task_arguments_values: ['again'] })
  })

  it('round-trips a task through task export and task import; a shared name is then ambiguous', async () => {
    const file = join(dir, 'lines.recipe.json')
    const exported = await cli(['task', 'export', 'lines', '--file', file])
    expect(exported.code, exported.stderr).toBe(0)
    const recipe = JSON.parse(await readFile(file, 'utf8')) as { task: { name: string }; script: unknown }
    expect(recipe.task.name).toBe('lines')
    const imported = await cli(['task', 'import', file, '--host', platform.botId])
    expect(imported.code, imported.stderr).toBe(0)
    const copy = imported.stdout.trim()
    expect(copy).not.toBe(taskIds.lines)
    const again = await cli(['task', 'export', copy])
    expect(JSON.parse(again.stdout)).toEqual(recipe)
    const yamlFile = join(dir, 'lines.recipe.yaml')
    expect((await cli(['task', 'export', copy, '--file', yamlFile])).code).toBe(0)
    expect(parseYaml(await readFile(yamlFile, 'utf8'))).toEqual(recipe)

    const ambiguous = await cli(['run', 'lines', 'x'])
    expect(ambiguous.code).toBe(1)
    expect(ambiguous.stderr).toContain('2 tasks are named lines')
    const byId = await cli(['run', copy, 'copy', '--follow'])
    expect(byId.code, byId.stderr).toBe(0)
    expect(byId.stdout).toContain('line 1 of copy ✓')
  })

  it('pushes a script file and prints its id', async () => {
    const file = join(dir, 'hello.sh')
    await writeFile(file, '#!/bin/sh\necho hello\n')
    const pushed = await cli(['scripts', 'push', file])
    expect(pushed.code, pushed.stderr).toBe(0)
    const id = pushed.stdout.trim()
    const stored = await expectStatus(platform.call, 200, 'GET', `/${platform.customer}/script/${id}`, {
      token: platform.adminToken,
    })
    expect(stored.body).toMatchObject({ filename: 'hello.sh', content: '#!/bin/sh\necho hello\n' })
  })

  it('reads the connection from a profile, flags over env over profile, the token from stdin', async () => {
    const home = join(dir, 'config')
    await mkdir(join(home, 'taskforge'), { recursive: true })
    await writeFile(
      join(home, 'taskforge', 'config.yaml'),
      [
        'default_profile: here',
        'profiles:',
        '  here:',
        `    url: ${platform.gatewayUrl}`,
        `    customer: ${platform.customer}`,
        `    token: ${platform.adminToken}`,
        '  nowhere:',
        '    url: http://127.0.0.1:9',
        `    customer: ${platform.customer}`,
        `    token: ${platform.adminToken}`,
        '',
      ].join('\n'),
    )
    const bare = { TASKFORGE_URL: '', TASKFORGE_TOKEN: '', TASKFORGE_CUSTOMER: '', XDG_CONFIG_HOME: home }
    const fromProfile = await cli(['tasks', '-o', 'json'], bare)
    expect(fromProfile.code, fromProfile.stderr).toBe(0)
    expect(fromProfile.stderr).toContain('holds a token and other users may read it')
    await chmod(join(home, 'taskforge', 'config.yaml'), 0o600)
    const privateFile = await cli(['tasks', '-o', 'json'], bare)
    expect(privateFile.stderr).toBe('')
    expect(JSON.parse(privateFile.stdout)).toEqual(JSON.parse(fromProfile.stdout))
    const elsewhere = await cli(['tasks', '--profile', 'nowhere'], bare)
    expect(elsewhere.code).toBe(1)
    const envWins = await cli(['tasks', '--profile', 'nowhere'], {
      ...bare,
      TASKFORGE_URL: platform.gatewayUrl,
    })
    expect(envWins.code, envWins.stderr).toBe(0)
    const flagWins = await cli(['tasks', '--url', 'http://127.0.0.1:9'], bare)
    expect(flagWins.code).toBe(1)
    const noConfig = { ...bare, XDG_CONFIG_HOME: join(dir, 'no-config') }
    const connection = ['--url', platform.gatewayUrl, '--customer', platform.customer]
    expect((await cli(['tasks', ...connection], noConfig)).code).toBe(1)
    const stdinToken = await cli(
      ['tasks', ...connection, '--token-stdin'],
      noConfig,
      `${platform.adminToken}\n`,
    )
    expect(stdinToken.code, stdinToken.stderr).toBe(0)
    const missing = await cli(['tasks', '--profile', 'absent'], bare)
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('no profile absent')
  })

  it('creates a workflow from a YAML file, lists, gets (an old version too) and deletes it', async () => {
    const file = join(dir, 'release.yaml')
    await writeFile(
      file,
      [
        'name: release',
        'start: first',
        'nodes:',
        `  - { key: first, task: ${taskIds.lines}, arguments: [{ from: $run, output: 0 }] }`,
        `  - { key: then, task: ${taskIds.lines}, arguments: [{ from: first, output: 0 }] }`,
        'edges:',
        '  - { from: first, to: then, on: always }',
        '',
      ].join('\n'),
    )
    const created = await cli(['workflows', 'create', file])
    expect(created.code, created.stderr).toBe(0)
    const id = created.stdout.trim()
    const listed = await cli(['workflows'])
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.stdout).toContain(id)
    await expectStatus(platform.call, 200, 'PATCH', `/${platform.customer}/workflow/${id}`, {
      token: platform.adminToken,
      json: { description: 'second' },
    })
    const latest = await cli(['workflows', 'get', id, '-o', 'json'])
    expect(JSON.parse(latest.stdout)).toMatchObject({ id, version: 2, description: 'second' })
    const first = await cli(['workflows', 'get', id, '--version', '1', '-o', 'json'])
    expect(JSON.parse(first.stdout)).toMatchObject({
      id,
      version: 1,
      description: '',
      nodes: [{ key: 'first', arguments: [{ from: '$run', output: 0 }] }, { key: 'then' }],
    })

    const cyclic = await cli(
      ['workflows', 'create', '-'],
      {},
      JSON.stringify({
        name: 'loop',
        start: 'a',
        nodes: [
          { key: 'a', task: taskIds.fail },
          { key: 'b', task: taskIds.fail },
        ],
        edges: [
          { from: 'a', to: 'b' },
          { from: 'b', to: 'a' },
        ],
      }),
    )
    expect(cyclic.code).toBe(1)
    expect(cyclic.stderr).toContain('the edges make a cycle: a -> b -> a')

    const deleted = await cli(['workflows', 'delete', id, '-o', 'json'])
    expect(JSON.parse(deleted.stdout)).toEqual({ id, deleted: true })
    const gone = await cli(['workflows', 'get', id])
    expect(gone.code).toBe(1)
    expect(gone.stderr).toContain('NOT_FOUND')
  })

  it('creates, previews, pauses, resumes, triggers and lists the fires of a schedule', async () => {
    const created = await cli([
      'schedules',
      'create',
      // By id: the import test above gave a second task the name "lines".
      taskIds.lines as string,
      '30 2 * * *',
      '--timezone',
      'Europe/Berlin',
      '--arg-json',
      '["scheduled"]',
      '--paused',
      '--note',
      'nightly',
      '-o',
      'json',
    ])
    expect(created.code, created.stderr).toBe(0)
    const schedule = JSON.parse(created.stdout) as { id: string; state: string; task_id: string }
    expect(schedule).toMatchObject({ state: 'paused', task_id: taskIds.lines })
    const preview = await cli([
      'schedules',
      'preview',
      schedule.id,
      '--from',
      '2026-03-28T12:00:00Z',
      '--count',
      '1',
    ])
    expect(preview.code, preview.stderr).toBe(0)
    expect(preview.stdout).toContain('2026-03-29T01:00:00.000Z')
    const resumed = await cli(['schedules', 'resume', schedule.id, '-o', 'json'])
    expect(JSON.parse(resumed.stdout)).toMatchObject({ state: 'active' })
    const paused = await cli(['schedules', 'pause', schedule.id, '--note', 'maintenance', '-o', 'json'])
    expect(JSON.parse(paused.stdout)).toMatchObject({ state: 'paused', note: 'maintenance' })
    const fired = await cli(['schedules', 'trigger', schedule.id, '-o', 'json'])
    expect(fired.code, fired.stderr).toBe(0)
    const fire = JSON.parse(fired.stdout) as { outcome: string; job_id: string }
    expect(fire.outcome).toBe('started')
    expect(await job(fire.job_id)).toMatchObject({ origin: 'schedule', task_arguments_values: ['scheduled'] })
    const fires = await cli(['schedules', 'fires', schedule.id, '-o', 'json'])
    expect(JSON.parse(fires.stdout)).toMatchObject([
      { kind: 'trigger', outcome: 'started', job_id: fire.job_id },
    ])
    const listed = await cli(['schedules', 'list', '--task', taskIds.lines as string])
    expect(listed.stdout).toContain(schedule.id)
    const bad = await cli(['schedules', 'edit', schedule.id, '--cron', 'never'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('cron')
  }, 240_000)
})
