import { readFile, writeFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { TextDecoder } from 'node:util'
import {
  createTaskforge,
  customerOf,
  followLog,
  isTaskforgeError,
  type Job,
  runTask,
  type Task,
  type Taskforge,
  waitForJob,
} from '@taskforge/sdk'
import { Command, CommanderError, Option } from 'commander'
import { parse as parseYaml } from 'yaml'
import { argumentsFromJson, suppliedArguments, UsageError } from './arguments.js'
import { ConfigError, configPath, exposedTokenWarning, readConfigFile, resolveConnection } from './config.js'
import { Exit, exitCodeOf, parseDuration } from './outcome.js'
import { FORMATS, type Format, isFormat, render } from './output.js'

/** Where a command reads and writes: the process's streams and env, or a test's. */
export interface Io {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  stdin: NodeJS.ReadableStream
  env: Record<string, string | undefined>
}

const COLUMNS = {
  task: ['id', 'name', 'host_id', 'tags', 'version', 'last_update'],
  job: ['id', 'name', 'lifecycle', 'state', 'host_id', 'creation_date'],
  bot: ['id', 'name', 'online', 'running_jobs', 'last_seen'],
  script: ['id', 'filename', 'version', 'last_update'],
  subscription: ['id', 'url', 'events', 'enabled', 'description'],
  delivery: ['id', 'event_name', 'status', 'attempt_count', 'next_attempt_at', 'last_update'],
  token: ['id', 'name', 'role', 'tags', 'creation_date'],
  schedule: ['id', 'task_id', 'cron', 'timezone', 'state', 'next_fire_at', 'runs', 'note'],
  fire: ['scheduled_for', 'outcome', 'kind', 'job_id', 'reason'],
  workflow: ['id', 'name', 'start', 'version', 'last_update'],
} as const

/** What `schedules create|edit` take, as the API names the fields. */
interface ScheduleFlags {
  cron?: string
  timezone?: string
  argJson?: string
  startAt?: string
  endAt?: string
  maxRuns?: number
  jitter?: number
  overlap?: string
  catchupWindow?: number
  note?: string
  paused?: boolean
}

interface GlobalOptions {
  url?: string
  token?: string
  tokenStdin?: boolean
  customer?: string
  profile?: string
  output?: string
}

interface RunFlags {
  argJson?: string
  follow?: boolean
  wait?: string | true
  idempotencyKey?: string
}

/** Waits until `stream` took `text` (backpressure), so a long log is not held in memory. */
function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error | null) => (error ? reject(error) : resolve())
    stream.write(text, done)
  })
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return Buffer.concat(chunks)
}

/** The program, writing to `io`; `main` parses argv with it and answers the exit code. */
export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  let stdinUsed: string | undefined
  /** Stdin's whole content, for the one option that asked for it. */
  const stdinFor = async (what: string) => {
    if (stdinUsed !== undefined && stdinUsed !== what)
      throw new UsageError(`stdin is read once: ${stdinUsed} and ${what} both ask for it`)
    stdinUsed = what
    return readAll(io.stdin)
  }

  const program = new Command('taskforge')
  program
    .description('Run tasks, follow their logs and manage the objects of a Taskforge platform.')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride()
    .showHelpAfterError('(taskforge --help for usage)')
    .option('--url <url>', 'the gateway (else TASKFORGE_URL, the profile, http://127.0.0.1:8080)')
    .option('--token <token>', 'an access token (prefer TASKFORGE_TOKEN, a profile or --token-stdin)')
    .option('--token-stdin', 'read the access token from stdin')
    .option('--customer <id>', 'the organization (else TASKFORGE_CUSTOMER, the profile)')
    .option('--profile <name>', 'a profile of the config file (else TASKFORGE_PROFILE, its default_profile)')
    .addOption(new Option('-o, --output <format>', 'how data is printed').choices(FORMATS))

  const globals = (command: Command) => command.optsWithGlobals() as GlobalOptions
  const formatOf = (command: Command): Format => {
    const output = globals(command).output ?? 'table'
    return isFormat(output) ? output : 'table'
  }
  const structured = (command: Command) =>
    globals(command).output !== undefined && formatOf(command) !== 'table'

  const connect = async (command: Command): Promise<Taskforge> => {
    const options = globals(command)
    const path = configPath(io.env)
    const file = await readConfigFile(path)
    const warning = await exposedTokenWarning(path, file)
    if (warning !== undefined) await write(io.stderr, `taskforge: warning: ${warning}\n`)
    let token = options.token
    if (options.tokenStdin)
      token = (await stdinFor('--token-stdin')).toString('utf8').split(/\r?\n/)[0]?.trim()
    const connection = resolveConnection({ ...options, token }, io.env, file, path)
    return createTaskforge({ url: connection.url, token: connection.token, customer: connection.customer })
  }

  const show = (command: Command, data: unknown, columns?: readonly string[]) =>
    write(io.stdout, render(data, formatOf(command), columns))

  const path = (tf: Taskforge) => ({ customer: customerOf(tf) })

  /** A task by id, else by its name, which must name exactly one. */
  const findTask = async (tf: Taskforge, ref: string): Promise<Task> => {
    const byId = await tf.api
      .GET('/{customer}/task/{id}', { params: { path: { ...path(tf), id: ref } } })
      .catch((error: unknown) => {
        if (isTaskforgeError(error) && (error.status === 404 || error.status === 400)) return undefined
        throw error
      })
    if (byId?.data) return byId.data as Task
    const { data } = await tf.api.GET('/{customer}/task', { params: { path: path(tf) } })
    const named = (data ?? []).filter((task) => task.name === ref)
    if (named.length === 1 && named[0]) return named[0]
    if (named.length === 0) throw new UsageError(`no task has the id or name ${ref}`)
    throw new UsageError(
      `${named.length} tasks are named ${ref}: give one of their ids (${named.map((t) => t.id).join(', ')})`,
    )
  }

  const waitLimit = (flags: RunFlags): number | undefined => {
    if (flags.wait === undefined || flags.wait === true) return undefined
    try {
      return parseDuration(flags.wait)
    } catch (error) {
      throw new UsageError(`--wait: ${(error as Error).message}`)
    }
  }

  /**
   * After a run: the job id first (on stdout, unless stdout carries the log or a document), then,
   * with --follow or --wait, the log or the wait until the job ends, and the exit code it ended with.
   */
  const afterRun = async (
    command: Command,
    tf: Taskforge,
    created: Job,
    flags: RunFlags,
  ): Promise<number> => {
    const document = structured(command)
    await write(flags.follow || document ? io.stderr : io.stdout, `${created.id}\n`)
    if (!flags.follow && flags.wait === undefined) {
      if (document) await show(command, created)
      return Exit.success
    }
    const limitMs = waitLimit(flags)
    const deadline = limitMs === undefined ? undefined : Date.now() + limitMs
    const left = () => (deadline === undefined ? undefined : Math.max(0, deadline - Date.now()))
    let job: Job = created
    let ended = false
    if (flags.follow) {
      const stop = new AbortController()
      const timer = deadline === undefined ? undefined : setTimeout(() => stop.abort(), left())
      try {
        for await (const text of followLog(tf, created.id, {
          signal: stop.signal,
          onReconnect: (attempt) =>
            io.stderr.write(`taskforge: log connection lost, reading on (${attempt})\n`),
        }))
          await write(io.stdout, text)
      } catch (error) {
        if (!stop.signal.aborted) throw error
      } finally {
        clearTimeout(timer)
      }
      if (!stop.signal.aborted) {
        // The log is complete once the job ended; the job says how.
        const timeoutMs = left()
        ;({ job, ended } = await waitForJob(tf, created.id, {
          pollMs: 200,
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
        }))
      }
    } else {
      const timeoutMs = left()
      ;({ job, ended } = await waitForJob(tf, created.id, timeoutMs === undefined ? {} : { timeoutMs }))
    }
    if (!ended) {
      const latest = await tf.api.GET('/{customer}/job/{id}', {
        params: { path: { ...path(tf), id: created.id } },
      })
      job = (latest.data as Job | undefined) ?? job
      await write(
        io.stderr,
        `taskforge: stopped waiting after ${flags.wait}: job ${job.id} is ${job.lifecycle}\n`,
      )
      if (document) await show(command, job)
      return Exit.waitLimit
    }
    await write(io.stderr, `taskforge: job ${job.id} ${job.lifecycle}: ${job.state}\n`)
    if (document) await show(command, job)
    return exitCodeOf(job)
  }

  const runFlags = (command: Command) =>
    command
      .option('-f, --follow', 'print the log as it is written, until the job ends; exit as it ended')
      .addOption(
        new Option(
          '-w, --wait [timeout]',
          'wait for the job to end (at most timeout: 30s, 5m...); exit as it ended',
        ).preset(true),
      )
      .option(
        '--idempotency-key <key>',
        'a retry with the same key answers the first run instead of running again',
      )

  runFlags(
    program
      .command('run')
      .description(
        'Run a task (an id or a unique name); prints the job id. Exit: 0 success, 2 failure, 3 canceled, 4 timeout or terminated, 124 --wait limit, 1 error',
      )
      .argument('<task>', 'task id or name')
      .argument('[args...]', "the task's arguments, in order")
      .option('--arg-json <source>', 'the arguments as a JSON array, from @file or - (stdin)'),
  ).action(async (ref: string, args: string[], flags: RunFlags & { argJson?: string }, command: Command) => {
    waitLimit(flags)
    let values: unknown[] = args
    if (flags.argJson !== undefined) {
      if (args.length > 0)
        throw new UsageError('give the arguments either after the task or with --arg-json, not both')
      const source = flags.argJson
      if (source !== '-' && !source.startsWith('@'))
        throw new UsageError(`--arg-json takes @file or - (stdin), not ${source}`)
      const text =
        source === '-'
          ? (await stdinFor('--arg-json -')).toString('utf8')
          : await readFile(source.slice(1), 'utf8')
      values = argumentsFromJson(text, source)
    }
    const tf = await connect(command)
    const task = await findTask(tf, ref)
    const job = await runTask(tf, task.id, {
      args: values,
      ...(flags.idempotencyKey === undefined ? {} : { idempotencyKey: flags.idempotencyKey }),
    })
    setExit(await afterRun(command, tf, job, flags))
  })

  // jobs
  const jobs = program.command('jobs').description('Jobs: list, get, logs, cancel, rerun')
  jobs
    .command('list', { isDefault: true })
    .description('The latest jobs')
    .option('--task <task>', 'only jobs of this task (id or name)')
    .option(
      '--state <state>',
      'only jobs in this state (success, failure, timeout, canceled, error, in_progress)',
    )
    .option('--lifecycle <lifecycle>', 'only jobs in this lifecycle (onhold, ready, assigned, finished, ...)')
    .option('--host <bot id>', 'only jobs of this bot')
    .option('--limit <n>', 'at most n jobs', (text) => Number.parseInt(text, 10))
    .action(
      async (
        flags: { task?: string; state?: string; lifecycle?: string; host?: string; limit?: number },
        command: Command,
      ) => {
        const tf = await connect(command)
        const task = flags.task === undefined ? undefined : (await findTask(tf, flags.task)).id
        const { data } = await tf.api.GET('/{customer}/job', {
          params: {
            path: path(tf),
            query: {
              ...(task === undefined ? {} : { task }),
              ...(flags.state === undefined ? {} : { state: flags.state }),
              ...(flags.lifecycle === undefined ? {} : { lifecycle: flags.lifecycle }),
              ...(flags.host === undefined ? {} : { host_id: flags.host }),
              ...(flags.limit === undefined ? {} : { limit: flags.limit }),
            },
          },
        })
        await show(command, data, COLUMNS.job)
      },
    )
  jobs
    .command('get')
    .description('One job')
    .argument('<id>')
    .action(async (id: string, _flags: unknown, command: Command) => {
      const tf = await connect(command)
      const { data } = await tf.api.GET('/{customer}/job/{id}', { params: { path: { ...path(tf), id } } })
      await show(command, data)
    })
  jobs
    .command('logs')
    .alias('log')
    .description("A job's log; with --follow, as it is written until the job ends")
    .argument('<id>')
    .option('-f, --follow', 'follow the log until the job ends')
    .action(async (id: string, flags: { follow?: boolean }, command: Command) => {
      const tf = await connect(command)
      if (flags.follow) {
        for await (const text of followLog(tf, id, {
          onReconnect: (attempt) =>
            io.stderr.write(`taskforge: log connection lost, reading on (${attempt})\n`),
        }))
          await write(io.stdout, text)
        return
      }
      const { data } = await tf.api.GET('/{customer}/job/{id}/log', {
        params: { path: { ...path(tf), id } },
        parseAs: 'text',
      })
      await write(io.stdout, (data as string | undefined) ?? '')
    })
  jobs
    .command('cancel')
    .description('Cancel a job')
    .argument('<id>')
    .option('--reason <text>', 'why, kept with the job')
    .action(async (id: string, flags: { reason?: string }, command: Command) => {
      const tf = await connect(command)
      const { data } = await tf.api.PUT('/{customer}/job/{id}/cancel', {
        params: { path: { ...path(tf), id } },
        body: flags.reason === undefined ? {} : { reason: flags.reason },
      })
      if (formatOf(command) === 'table') await write(io.stderr, `taskforge: job ${id} canceled\n`)
      else await show(command, data)
    })
  runFlags(
    jobs
      .command('rerun')
      .description("Run a job's task again with the same arguments; prints the new job id, exits as run does")
      .argument('<id>'),
  ).action(async (id: string, flags: RunFlags, command: Command) => {
    waitLimit(flags)
    const tf = await connect(command)
    const { data: old } = await tf.api.GET('/{customer}/job/{id}', { params: { path: { ...path(tf), id } } })
    const previous = old as Job
    const { data: task } = await tf.api.GET('/{customer}/task/{id}', {
      params: { path: { ...path(tf), id: previous.task_id } },
    })
    const job = await runTask(tf, previous.task_id, {
      args: suppliedArguments((task as Task).task_arguments, previous.task_arguments_values),
      ...(flags.idempotencyKey === undefined ? {} : { idempotencyKey: flags.idempotencyKey }),
    })
    setExit(await afterRun(command, tf, job, flags))
  })

  // tasks
  const tasks = program.command('tasks').description('Tasks: list, get')
  tasks
    .command('list', { isDefault: true })
    .description('The tasks you may see')
    .option('--tag <tag>', 'only tasks with this tag')
    .option('--host <bot id>', 'only tasks of this bot')
    .action(async (flags: { tag?: string; host?: string }, command: Command) => {
      const tf = await connect(command)
      const { data } = await tf.api.GET('/{customer}/task', {
        params: {
          path: path(tf),
          query: {
            ...(flags.tag === undefined ? {} : { tag: flags.tag }),
            ...(flags.host === undefined ? {} : { host_id: flags.host }),
          },
        },
      })
      await show(command, data, COLUMNS.task)
    })
  tasks
    .command('get')
    .description('One task, by id or unique name')
    .argument('<task>')
    .action(async (ref: string, _flags: unknown, command: Command) => {
      const tf = await connect(command)
      await show(command, await findTask(tf, ref))
    })

  // task export|import
  const task = program.command('task').description('Recipes: a task with its script, as a file')
  task
    .command('export')
    .description('Write a task as a recipe (JSON, or YAML for a .yaml/.yml file), to a file or stdout')
    .argument('<task>', 'task id or name')
    .option('--file <path>', 'where to write it (else stdout)')
    .action(async (ref: string, flags: { file?: string }, command: Command) => {
      const tf = await connect(command)
      const found = await findTask(tf, ref)
      const { data } = await tf.api.GET('/{customer}/task/{id}/recipe', {
        params: { path: { ...path(tf), id: found.id } },
      })
      const yaml = flags.file ? /\.ya?ml$/i.test(flags.file) : formatOf(command) === 'yaml'
      const text = render(data, yaml ? 'yaml' : 'json')
      if (flags.file === undefined) await write(io.stdout, text)
      else {
        await writeFile(flags.file, text)
        await write(io.stderr, `taskforge: wrote ${found.name} to ${flags.file}\n`)
      }
    })
  task
    .command('import')
    .description('Create a task and its script from a recipe file (JSON or YAML; - for stdin)')
    .argument('<file>')
    .option('--host <bot id>', 'the bot that runs the task')
    .action(async (file: string, flags: { host?: string }, command: Command) => {
      const text =
        file === '-' ? (await stdinFor('task import -')).toString('utf8') : await readFile(file, 'utf8')
      let recipe: unknown
      try {
        recipe = parseYaml(text) // YAML is a superset of JSON
      } catch (error) {
        throw new UsageError(
          `${file}: not a JSON or YAML recipe (${(error as Error).message.split('\n')[0]})`,
        )
      }
      if (typeof recipe !== 'object' || recipe === null || !('task' in recipe))
        throw new UsageError(`${file}: not a recipe (an object with task and script)`)
      const tf = await connect(command)
      const { data } = await tf.api.POST('/{customer}/task/import', {
        params: { path: path(tf), query: flags.host === undefined ? {} : { host_id: flags.host } },
        // biome-ignore lint/suspicious/noExplicitAny: the recipe is the server's to check
        body: recipe as any,
      })
      if (formatOf(command) === 'table') await write(io.stdout, `${(data as Task).id}\n`)
      else await show(command, data)
    })

  // bots, scripts, subscriptions, deliveries, tokens
  program
    .command('bots')
    .description('The bots and whether they are online')
    .action(async (_flags: unknown, command: Command) => {
      const tf = await connect(command)
      const { data } = await tf.api.GET('/{customer}/bot', { params: { path: path(tf) } })
      await show(command, data, COLUMNS.bot)
    })

  const scripts = program.command('scripts').description('Scripts: list, push')
  scripts
    .command('list', { isDefault: true })
    .description('The scripts')
    .action(async (_flags: unknown, command: Command) => {
      const tf = await connect(command)
      const { data } = await tf.api.GET('/{customer}/script', { params: { path: path(tf) } })
      await show(command, data, COLUMNS.script)
    })
  scripts
    .command('push')
    .description('Upload a script file: a new script, or a new version of --id; prints its id')
    .argument('<file>')
    .option('--id <script id>', 'replace this script')
    .option('--name <filename>', 'its filename (else the file name)')
    .option('--description <text>')
    .action(
      async (file: string, flags: { id?: string; name?: string; description?: string }, command: Command) => {
        const bytes = await readFile(file)
        let content: { content: string } | { data: string }
        try {
          content = { content: new TextDecoder('utf-8', { fatal: true }).decode(bytes) }
        } catch {
          content = { data: bytes.toString('base64') }
        }
        const body = {
          filename: flags.name ?? basename(file),
          ...content,
          ...(flags.description === undefined ? {} : { description: flags.description }),
        }
        const tf = await connect(command)
        const { data } =
          flags.id === undefined
            ? await tf.api.POST('/{customer}/script', { params: { path: path(tf) }, body })
            : await tf.api.PUT('/{customer}/script/{id}', {
                params: { path: { ...path(tf), id: flags.id } },
                body,
              })
        if (formatOf(command) === 'table') await write(io.stdout, `${data?.id}\n`)
        else await show(command, data)
      },
    )

  const subscriptions = program
    .command('subscriptions')
    .description('Outgoing webhook subscriptions: list, get')
  subscriptions.command('list', { isDefault: true }).action(async (_flags: unknown, command: Command) => {
    const tf = await connect(command)
    const { data } = await tf.api.GET('/{customer}/subscription', { params: { path: path(tf) } })
    await show(command, data, COLUMNS.subscription)
  })
  subscriptions
    .command('get')
    .argument('<id>')
    .action(async (id: string, _flags: unknown, command: Command) => {
      const tf = await connect(command)
      const { data } = await tf.api.GET('/{customer}/subscription/{id}', {
        params: { path: { ...path(tf), id } },
      })
      await show(command, data)
    })

  program
    .command('deliveries')
    .description("A subscription's deliveries, newest first; --retry sends one again")
    .argument('<subscription>', 'subscription id')
    .option('--status <status>', 'pending, succeeded or failed')
    .option('--limit <n>', 'at most n', (text) => Number.parseInt(text, 10))
    .option('--retry <delivery>', 'send this delivery again')
    .action(
      async (id: string, flags: { status?: string; limit?: number; retry?: string }, command: Command) => {
        const tf = await connect(command)
        if (flags.retry !== undefined) {
          const { data } = await tf.api.POST('/{customer}/subscription/{id}/delivery/{delivery}/retry', {
            params: { path: { ...path(tf), id, delivery: flags.retry } },
          })
          await show(command, data)
          return
        }
        const { data } = await tf.api.GET('/{customer}/subscription/{id}/delivery', {
          params: {
            path: { ...path(tf), id },
            query: {
              ...(flags.status === undefined
                ? {}
                : { status: flags.status as 'pending' | 'succeeded' | 'failed' }),
              ...(flags.limit === undefined ? {} : { limit: flags.limit }),
            },
          },
        })
        await show(command, data, COLUMNS.delivery)
      },
    )

  // schedules list|show|create|edit|pause|resume|trigger|preview|fires|delete
  const integer = (text: string) => Number.parseInt(text, 10)
  const scheduleBody = (flags: ScheduleFlags) => {
    let taskArguments: unknown[] | undefined
    if (flags.argJson !== undefined) {
      const parsed: unknown = JSON.parse(flags.argJson)
      if (!Array.isArray(parsed)) throw new UsageError('--arg-json must be a JSON array')
      taskArguments = parsed
    }
    return {
      ...(flags.cron === undefined ? {} : { cron: flags.cron }),
      ...(flags.timezone === undefined ? {} : { timezone: flags.timezone }),
      ...(taskArguments === undefined ? {} : { task_arguments: taskArguments }),
      ...(flags.startAt === undefined ? {} : { start_at: flags.startAt }),
      ...(flags.endAt === undefined ? {} : { end_at: flags.endAt }),
      ...(flags.maxRuns === undefined ? {} : { max_runs: flags.maxRuns }),
      ...(flags.jitter === undefined ? {} : { jitter: flags.jitter }),
      ...(flags.overlap === undefined
        ? {}
        : { overlap: flags.overlap as 'skip' | 'buffer_one' | 'allow_all' | 'cancel_running' }),
      ...(flags.catchupWindow === undefined ? {} : { catchup_window: flags.catchupWindow }),
      ...(flags.note === undefined ? {} : { note: flags.note }),
      ...(flags.paused === undefined ? {} : { enabled: !flags.paused }),
    }
  }
  const scheduleOptions = (command: Command) =>
    command
      .option('--timezone <zone>', 'IANA time zone (default UTC)')
      .option('--arg-json <json>', "the run's task_arguments, as a JSON array")
      .option('--start-at <instant>', 'no fire before this instant')
      .option('--end-at <instant>', 'no fire after this instant')
      .option('--max-runs <n>', 'runs after which it ends', integer)
      .option('--jitter <seconds>', 'each fire waits a delay in [0, seconds]', integer)
      .option('--overlap <policy>', 'skip, buffer_one, allow_all or cancel_running')
      .option('--catchup-window <seconds>', 'how late a fire missed during downtime may start', integer)
      .option('--note <text>', 'a note')
  const schedules = program
    .command('schedules')
    .description(
      'Schedules of tasks: list, show, create, edit, pause, resume, trigger, preview, fires, delete',
    )
  schedules
    .command('list', { isDefault: true })
    .option('--task <task>', "only this task's schedules (id or unique name)")
    .action(async (flags: { task?: string }, command: Command) => {
      const tf = await connect(command)
      const taskId = flags.task === undefined ? undefined : (await findTask(tf, flags.task)).id
      const { data } = await tf.api.GET('/{customer}/schedule', {
        params: { path: path(tf), query: taskId === undefined ? {} : { task_id: taskId } },
      })
      await show(command, data, COLUMNS.schedule)
    })
  schedules
    .command('show')
    .argument('<schedule>', 'schedule id')
    .action(async (id: string, _flags: unknown, command: Command) => {
      const tf = await connect(command)
      const { data } = await tf.api.GET('/{customer}/schedule/{id}', {
        params: { path: { ...path(tf), id } },
      })
      await show(command, data)
    })
  scheduleOptions(
    schedules
      .command('create')
      .description('Schedule a task on a cron (5 fields, or 6 with seconds)')
      .argument('<task>', 'task id or unique name')
      .argument('<cron>', "the cron, quoted: '30 2 * * *'")
      .option('--paused', 'create it paused'),
  ).action(async (ref: string, cron: string, flags: ScheduleFlags, command: Command) => {
    const tf = await connect(command)
    const task = await findTask(tf, ref)
    const { data } = await tf.api.POST('/{customer}/task/{id}/schedule', {
      params: { path: { ...path(tf), id: task.id } },
      body: { ...scheduleBody(flags), cron },
    })
    await show(command, data)
  })
  scheduleOptions(
    schedules
      .command('edit')
      .description('Change the fields given')
      .argument('<schedule>', 'schedule id')
      .option('--cron <cron>', 'the new cron'),
  ).action(async (id: string, flags: ScheduleFlags, command: Command) => {
    const tf = await connect(command)
    const { data } = await tf.api.PATCH('/{customer}/schedule/{id}', {
      params: { path: { ...path(tf), id } },
      body: scheduleBody(flags),
    })
    await show(command, data)
  })
  for (const [verb, enabled, summary] of [
    ['pause', false, 'Pause a schedule (--note says why)'],
    ['resume', true, 'Resume a schedule; what passed while paused is not replayed'],
  ] as const) {
    schedules
      .command(verb)
      .description(summary)
      .argument('<schedule>', 'schedule id')
      .option('--note <text>', 'a note')
      .action(async (id: string, flags: { note?: string }, command: Command) => {
        const tf = await connect(command)
        const { data } = await tf.api.PATCH('/{customer}/schedule/{id}', {
          params: { path: { ...path(tf), id } },
          body: { enabled, ...(flags.note === undefined ? {} : { note: flags.note }) },
        })
        await show(command, data)
      })
  }
  schedules
    .command('trigger')
    .description('Fire now, under the overlap policy')
    .argument('<schedule>', 'schedule id')
    .action(async (id: string, _flags: unknown, command: Command) => {
      const tf = await connect(command)
      const { data } = await tf.api.POST('/{customer}/schedule/{id}/trigger', {
        params: { path: { ...path(tf), id } },
      })
      await show(command, data)
    })
  schedules
    .command('preview')
    .description('The next fire times')
    .argument('<schedule>', 'schedule id')
    .option('--from <instant>', 'after this instant (default now)')
    .option('--count <n>', 'how many (default 10)', integer)
    .action(async (id: string, flags: { from?: string; count?: number }, command: Command) => {
      const tf = await connect(command)
      const { data } = await tf.api.GET('/{customer}/schedule/{id}/preview', {
        params: {
          path: { ...path(tf), id },
          query: {
            ...(flags.from === undefined ? {} : { from: flags.from }),
            ...(flags.count === undefined ? {} : { count: flags.count }),
          },
        },
      })
      await show(command, data?.times.map((at) => ({ at })) ?? [], ['at'])
    })
  schedules
    .command('fires')
    .description("A schedule's fires, newest first")
    .argument('<schedule>', 'schedule id')
    .option('--limit <n>', 'at most n', integer)
    .action(async (id: string, flags: { limit?: number }, command: Command) => {
      const tf = await connect(command)
      const { data } = await tf.api.GET('/{customer}/schedule/{id}/fires', {
        params: { path: { ...path(tf), id }, query: flags.limit === undefined ? {} : { limit: flags.limit } },
      })
      await show(command, data, COLUMNS.fire)
    })
  schedules
    .command('delete')
    .argument('<schedule>', 'schedule id')
    .action(async (id: string, _flags: unknown, command: Command) => {
      const tf = await connect(command)
      await tf.api.DELETE('/{customer}/schedule/{id}', { params: { path: { ...path(tf), id } } })
      await show(command, { id, deleted: true })
    })

  // workflows list|get|create|delete
  const workflows = program
    .command('workflows')
    .description('Workflow definitions: list, get, create, delete')
  workflows
    .command('list', { isDefault: true })
    .description('The workflows you may see, at their latest version')
    .action(async (_flags: unknown, command: Command) => {
      const tf = await connect(command)
      const { data } = await tf.api.GET('/{customer}/workflow', { params: { path: path(tf) } })
      await show(command, data, COLUMNS.workflow)
    })
  workflows
    .command('get')
    .description('One workflow: its latest version, or --version')
    .argument('<workflow>', 'workflow id')
    .option('--version <n>', 'an older version', integer)
    .action(async (id: string, flags: { version?: number }, command: Command) => {
      const tf = await connect(command)
      const { data } = await tf.api.GET('/{customer}/workflow/{id}', {
        params: {
          path: { ...path(tf), id },
          query: flags.version === undefined ? {} : { version: flags.version },
        },
      })
      await show(command, data)
    })
  workflows
    .command('create')
    .description('Create a workflow from a definition file (JSON or YAML; - for stdin)')
    .argument('<file>')
    .action(async (file: string, _flags: unknown, command: Command) => {
      const text =
        file === '-' ? (await stdinFor('workflows create -')).toString('utf8') : await readFile(file, 'utf8')
      let definition: unknown
      try {
        definition = parseYaml(text) // YAML is a superset of JSON
      } catch (error) {
        throw new UsageError(
          `${file}: not a JSON or YAML definition (${(error as Error).message.split('\n')[0]})`,
        )
      }
      if (typeof definition !== 'object' || definition === null || Array.isArray(definition))
        throw new UsageError(`${file}: not a workflow definition (an object with name, nodes, edges, start)`)
      const tf = await connect(command)
      const { data } = await tf.api.POST('/{customer}/workflow', {
        params: { path: path(tf) },
        // biome-ignore lint/suspicious/noExplicitAny: the definition is the server's to check
        body: definition as any,
      })
      if (formatOf(command) === 'table') await write(io.stdout, `${(data as { id: string }).id}\n`)
      else await show(command, data)
    })
  workflows
    .command('delete')
    .argument('<workflow>', 'workflow id')
    .action(async (id: string, _flags: unknown, command: Command) => {
      const tf = await connect(command)
      await tf.api.DELETE('/{customer}/workflow/{id}', { params: { path: { ...path(tf), id } } })
      await show(command, { id, deleted: true })
    })

  program
    .command('tokens')
    .description("The organization's access tokens (never their secret)")
    .action(async (_flags: unknown, command: Command) => {
      const tf = await connect(command)
      const { data } = await tf.api.GET('/{customer}/token', { params: { path: path(tf) } })
      await show(command, data, COLUMNS.token)
    })

  return program
}

/** Runs `taskforge` with `argv` (the arguments after the command) and answers its exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let code: number = Exit.success
  const program = buildProgram(io, (exit) => {
    code = exit
  })
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return code
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? Exit.success : Exit.error
    await write(io.stderr, `taskforge: ${describe(error)}\n`)
    return Exit.error
  }
}

function describe(error: unknown): string {
  if (isTaskforgeError(error))
    return `${error.message} (${error.code}${error.status ? `, HTTP ${error.status}` : ''})`
  if (error instanceof UsageError || error instanceof ConfigError) return error.message
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : ''
    return `${error.message}${cause}`
  }
  return String(error)
}
