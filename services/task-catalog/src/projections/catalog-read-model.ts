import type { Script, Task } from '@taskforge/proto/catalog/v1/model'
import { type Kysely, type Selectable, sql } from 'kysely'
import { openStored, type SecretSealer } from '../secrets/secret-sealer.js'
import { type CatalogTables, definitionOf, type ScriptsTable, type TasksTable } from './catalog-tables.js'

/** Filters of a task list; empty strings mean no filter (proto3 defaults). */
export interface TaskFilter {
  tag?: string | undefined
  hostId?: string | undefined
}

/** What anonymous runs and the credentials route need: the task's secret key. */
export interface TaskCredentials {
  id: string
  secret: string
}

/** A task with its script (undefined when it names none or the script is gone). */
export interface TaskToRun {
  task: Task
  script: Script | undefined
}

/** A task's secret with its owner, for checking a secret run that may not name the organization. */
export interface TaskSecret extends TaskCredentials {
  customer: string
}

type ScriptRow = Omit<Selectable<ScriptsTable>, 'content' | 'content_sha256' | 'content_size'> &
  Partial<Pick<Selectable<ScriptsTable>, 'content' | 'content_sha256' | 'content_size'>>

function toScript(row: ScriptRow): Script {
  return {
    id: row.id,
    customer: row.customer,
    version: row.version,
    filename: row.filename,
    description: row.description,
    content: row.content ?? Buffer.alloc(0),
    creationDate: row.created_at,
    lastUpdate: row.updated_at,
    contentSha256: row.content_sha256 ?? '',
    contentSize: row.content_size ?? 0,
  }
}

/** What a task answer needs: the definition holds name, bot, script and tags already. */
const TASK_COLUMNS = ['id', 'customer', 'version', 'definition', 'created_at', 'updated_at'] as const

function toTask(row: Pick<Selectable<TasksTable>, (typeof TASK_COLUMNS)[number]>): Task {
  return {
    id: row.id,
    customer: row.customer,
    version: row.version,
    definition: definitionOf(row.definition),
    creationDate: row.created_at,
    lastUpdate: row.updated_at,
  }
}

/** Tasks with their scripts (without the content): what runs read, one row per task. */
function taskToRunQuery(db: Kysely<CatalogTables>) {
  return db
    .selectFrom('tasks as t')
    .leftJoin('scripts as s', (join) =>
      join.onRef('s.id', '=', 't.script_id').onRef('s.customer', '=', 't.customer'),
    )
    .select([
      't.id',
      't.customer',
      't.version',
      't.definition',
      't.created_at',
      't.updated_at',
      's.id as script_id',
      's.version as script_version',
      's.filename as script_filename',
      's.description as script_description',
      's.content_sha256 as script_content_sha256',
      's.content_size as script_content_size',
      's.created_at as script_created_at',
      's.updated_at as script_updated_at',
    ])
}

type TaskToRunRow = Awaited<ReturnType<ReturnType<typeof taskToRunQuery>['executeTakeFirstOrThrow']>>

function taskToRunOf(row: TaskToRunRow): TaskToRun {
  const script =
    row.script_id === null
      ? undefined
      : toScript({
          id: row.script_id,
          customer: row.customer,
          version: row.script_version ?? 0,
          filename: row.script_filename ?? '',
          description: row.script_description ?? '',
          content_sha256: row.script_content_sha256 ?? '',
          content_size: row.script_content_size ?? 0,
          created_at: row.script_created_at ?? row.created_at,
          updated_at: row.script_updated_at ?? row.updated_at,
        })
  return { task: toTask(row), script }
}

/**
 * Queries over the catalog's read tables. Every query is scoped by customer: another customer's
 * object is simply not found. Secret keys are stored sealed and opened only for an answer; secret
 * variables stay sealed in the definitions answered (only a bot's request opens them).
 */
export class CatalogReadModel {
  readonly #db: Kysely<CatalogTables>
  readonly #sealer: SecretSealer

  constructor(db: Kysely<CatalogTables>, sealer: SecretSealer) {
    this.#db = db
    this.#sealer = sealer
  }

  #openSecret(row: { id: string; customer: string; sealed_secret: Buffer }): string {
    return openStored(this.#sealer, row.sealed_secret, {
      purpose: 'task-secret',
      customer: row.customer,
      taskId: row.id,
    })
  }

  async getScript(customer: string, id: string): Promise<Script | undefined> {
    const row = await this.#db
      .selectFrom('scripts')
      .selectAll()
      .where('customer', '=', customer)
      .where('id', '=', id)
      .executeTakeFirst()
    return row === undefined ? undefined : toScript(row)
  }

  /** Scripts in creation order, without their content (up to 1 MiB each): fetch one to read it. */
  async listScripts(customer: string): Promise<Script[]> {
    const rows = await this.#db
      .selectFrom('scripts')
      .select([
        'id',
        'customer',
        'version',
        'filename',
        'description',
        'content_sha256',
        'content_size',
        'created_at',
        'updated_at',
      ])
      .where('customer', '=', customer)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    return rows.map(toScript)
  }

  /**
   * Up to `length` bytes from `offset` of a content that a script of `customer` had, with the size of
   * the whole; undefined when none of the customer's scripts ever had that content.
   */
  async scriptContentPart(
    customer: string,
    sha256: string,
    offset: number,
    length: number,
  ): Promise<{ size: number; data: Buffer } | undefined> {
    return this.#db
      .selectFrom('script_contents')
      .select(['size', sql<Buffer>`substring(content from ${offset + 1}::int for ${length}::int)`.as('data')])
      .where('customer', '=', customer)
      .where('sha256', '=', sha256)
      .executeTakeFirst()
  }

  async getTask(customer: string, id: string): Promise<Task | undefined> {
    const row = await this.#db
      .selectFrom('tasks')
      .select(TASK_COLUMNS)
      .where('customer', '=', customer)
      .where('id', '=', id)
      .executeTakeFirst()
    return row === undefined ? undefined : toTask(row)
  }

  /**
   * A task with its script, in one query: what a run needs. The script comes without its content: a
   * job names it by its hash (decision 15). It is undefined when the task names none or it is gone.
   */
  async getTaskToRun(customer: string, id: string): Promise<TaskToRun | undefined> {
    return (await this.getTasksToRun([{ customer, id }]))[0]
  }

  /**
   * {@link getTaskToRun} for several tasks (of any organizations) in one query: one answer per key,
   * in the order given, undefined for a task that is not there.
   */
  async getTasksToRun(keys: readonly { customer: string; id: string }[]): Promise<(TaskToRun | undefined)[]> {
    if (keys.length === 0) return []
    const rows = await taskToRunQuery(this.#db)
      .where(({ refTuple, tuple, eb }) =>
        eb(
          refTuple('t.customer', 't.id'),
          'in',
          keys.map((key) => tuple(key.customer, key.id)),
        ),
      )
      .execute()
    const found = new Map(rows.map((row) => [`${row.customer}\0${row.id}`, taskToRunOf(row)]))
    return keys.map((key) => found.get(`${key.customer}\0${key.id}`))
  }

  /**
   * A task with its script and its secret key, by id alone unless `customer` is given: what a run by
   * secret key needs, in one query.
   */
  async getTaskToRunWithSecret(
    customer: string,
    id: string,
  ): Promise<(TaskToRun & { secret: string }) | undefined> {
    const row = await taskToRunQuery(this.#db)
      .select('t.sealed_secret')
      .where('t.id', '=', id)
      .$if(customer !== '', (query) => query.where('t.customer', '=', customer))
      .executeTakeFirst()
    return row === undefined ? undefined : { ...taskToRunOf(row), secret: this.#openSecret(row) }
  }

  /** Tasks in creation order, optionally only those with a tag or on one bot. */
  async listTasks(customer: string, filter: TaskFilter = {}): Promise<Task[]> {
    let query = this.#db.selectFrom('tasks').select(TASK_COLUMNS).where('customer', '=', customer)
    if (filter.tag) query = query.where(sql<boolean>`tags @> array[${filter.tag}]::text[]`)
    if (filter.hostId) query = query.where('host_id', '=', filter.hostId)
    const rows = await query.orderBy('created_at').orderBy('id').execute()
    return rows.map(toTask)
  }

  /** Ids of the live tasks that run a script (a script in use may not be deleted). */
  async tasksUsingScript(customer: string, scriptId: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('tasks')
      .select('id')
      .where('customer', '=', customer)
      .where('script_id', '=', scriptId)
      .orderBy('created_at')
      .execute()
    return rows.map((row) => row.id)
  }

  /** A task's secret and owner, whoever asks: only for comparing a presented secret. */
  async getTaskSecret(id: string): Promise<TaskSecret | undefined> {
    const row = await this.#db
      .selectFrom('tasks')
      .select(['id', 'customer', 'sealed_secret'])
      .where('id', '=', id)
      .executeTakeFirst()
    return row === undefined
      ? undefined
      : { id: row.id, customer: row.customer, secret: this.#openSecret(row) }
  }

  async getTaskCredentials(customer: string, id: string): Promise<TaskCredentials | undefined> {
    const row = await this.#db
      .selectFrom('tasks')
      .select(['id', 'customer', 'sealed_secret'])
      .where('customer', '=', customer)
      .where('id', '=', id)
      .executeTakeFirst()
    return row === undefined ? undefined : { id: row.id, secret: this.#openSecret(row) }
  }
}
