import { conflict, Limits, validationFailed } from '@taskforge/core'
import type { Db, Trx } from '@taskforge/event-store'
import { type Kysely, sql } from 'kysely'

/** How long a run's idempotency key names its job: a run with it after that creates a new job. */
export const RUN_KEY_RETENTION_MS = 24 * 60 * 60 * 1000
/** The longest key taken (printable ASCII: characters are bytes). */
export const RUN_KEY_MAX_LENGTH = Limits.idempotencyKey.value

/**
 * The idempotency keys of runs (decision 13): a customer's key names the job its first run created,
 * of which task. A row is written in the transaction that appends the job's first events, so there
 * is never one without the other; the primary key makes concurrent runs with one key create one job.
 */
export interface RunKeysTable {
  customer: string
  key: string
  task_id: string
  job_id: string
  created_at: Date
}

export const RUN_KEYS_TABLE = 'run_keys'

type RunKeysDb = Kysely<{ run_keys: RunKeysTable }>
const runKeysDb = (db: Db | Trx) => db as RunKeysDb

/** What a run asks for its key: the job it would create, of that task. */
export interface RunKeyClaim {
  customer: string
  key: string
  taskId: string
}

/** The job a key already names. */
export interface RunKeyOwner {
  taskId: string
  jobId: string
}

/** 1 to 200 printable ASCII characters (space included, not at either end). */
export function isValidRunKey(key: string): boolean {
  return key.length <= RUN_KEY_MAX_LENGTH && /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(key)
}

/** Refuses a key that {@link isValidRunKey} does not take. */
export function checkRunKey(key: string): void {
  if (!isValidRunKey(key)) {
    throw validationFailed(
      `idempotency_key must be 1 to ${RUN_KEY_MAX_LENGTH} printable ASCII characters, without spaces at either end`,
      { field: 'idempotency_key' },
    )
  }
}

/** The answer to a run whose key names a job of another task (or a run of another workflow). */
export function runKeyReused(claim: RunKeyClaim, owner: RunKeyOwner) {
  return conflict(
    `the idempotency key was already used within 24 hours to run ${owner.taskId}, not ${claim.taskId}: use a new key for another task or workflow`,
    { field: 'idempotency_key', task_id: owner.taskId },
  )
}

/** The failure of a run whose key another run took first: answer that run's job instead. */
export class RunKeyTaken extends Error {
  constructor(readonly claim: RunKeyClaim) {
    super(`idempotency key of customer ${claim.customer} is already taken`)
    this.name = 'RunKeyTaken'
  }
}

export async function createRunKeysTable(db: Db): Promise<void> {
  await runKeysDb(db)
    .schema.createTable(RUN_KEYS_TABLE)
    .ifNotExists()
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('run_keys_pkey', ['customer', 'key'])
    .execute()
  await runKeysDb(db)
    .schema.createIndex('run_keys_created_at')
    .ifNotExists()
    .on(RUN_KEYS_TABLE)
    .column('created_at')
    .execute()
}

const expiry = () => new Date(Date.now() - RUN_KEY_RETENTION_MS)

/** The job a customer's key names, unless it is older than the retention. */
export async function findRunKey(
  db: Db | Trx,
  customer: string,
  key: string,
): Promise<RunKeyOwner | undefined> {
  const row = await runKeysDb(db)
    .selectFrom(RUN_KEYS_TABLE)
    .select(['task_id', 'job_id'])
    .where('customer', '=', customer)
    .where('key', '=', key)
    .where('created_at', '>', expiry())
    .executeTakeFirst()
  return row === undefined ? undefined : { taskId: row.task_id, jobId: row.job_id }
}

/**
 * Records that the key names this job, unless a live row has it (one older than the retention is
 * replaced). A concurrent transaction claiming the same key waits for this one to end. Answers
 * whether the key is now this job's.
 */
export async function claimRunKey(trx: Trx, claim: RunKeyClaim, jobId: string): Promise<boolean> {
  const claimed = await runKeysDb(trx)
    .insertInto(RUN_KEYS_TABLE)
    .values({
      customer: claim.customer,
      key: claim.key,
      task_id: claim.taskId,
      job_id: jobId,
      created_at: new Date(),
    })
    .onConflict((oc) =>
      oc
        .columns(['customer', 'key'])
        .doUpdateSet((eb) => ({
          task_id: eb.ref('excluded.task_id'),
          job_id: eb.ref('excluded.job_id'),
          created_at: eb.ref('excluded.created_at'),
        }))
        .where(`${RUN_KEYS_TABLE}.created_at`, '<=', expiry()),
    )
    .returning('job_id')
    .executeTakeFirst()
  return claimed !== undefined
}

/** Gives back a key whose job was not created after all (in the transaction that claimed it). */
export async function releaseRunKey(trx: Trx, claim: RunKeyClaim, jobId: string): Promise<void> {
  await runKeysDb(trx)
    .deleteFrom(RUN_KEYS_TABLE)
    .where('customer', '=', claim.customer)
    .where('key', '=', claim.key)
    .where('job_id', '=', jobId)
    .execute()
}

/** Deletes the keys older than the retention (they name no job any more); answers how many. */
export async function forgetExpiredRunKeys(db: Db): Promise<number> {
  const result = await runKeysDb(db)
    .deleteFrom(RUN_KEYS_TABLE)
    .where('created_at', '<=', expiry())
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
