import type { ColumnType, Kysely } from 'kysely'

/**
 * One chunk of a job's output; `seq` is the position of its event in the job's stream. `text` is
 * well-formed (U+FFFD for what text cannot hold), `data` the bytes the script wrote (null when the
 * bot did not send them: `text` is then all there is). The line numbers place the chunk in the
 * log's lines, so that a range of lines reads only the chunks that hold it.
 */
export interface JobLogChunksTable {
  job_id: string
  seq: number
  stream: string
  text: string
  data: Buffer | null
  /** The line the chunk's text starts in (0-based): how many `\n` the log has before it. */
  first_line: number
  /** The line the chunk's text ends in: `first_line` plus the `\n` it holds. */
  end_line: number
  /** The log up to and with this chunk ends within a line (its last `\n` is not the end). */
  open_after: boolean
}

/** Per job: whether its log is complete, and how much output the bot dropped past its cap. */
export interface JobLogStatusTable {
  job_id: string
  customer: string
  done: boolean
  /** bigint: pg answers it as a string. */
  truncated_bytes: ColumnType<string, number, number>
}

export interface JobLogDatabase {
  job_log_chunks: JobLogChunksTable
  job_log_status: JobLogStatusTable
}

export const JOB_LOG_CHUNKS_TABLE = 'job_log_chunks'
export const JOB_LOG_STATUS_TABLE = 'job_log_status'

/** Creates the log tables when missing. */
export async function createJobLogTables(db: Kysely<JobLogDatabase>): Promise<void> {
  await db.schema
    .createTable(JOB_LOG_STATUS_TABLE)
    .ifNotExists()
    .addColumn('job_id', 'text', (c) => c.primaryKey())
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('done', 'boolean', (c) => c.notNull())
    .addColumn('truncated_bytes', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable(JOB_LOG_CHUNKS_TABLE)
    .ifNotExists()
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('data', 'bytea')
    .addColumn('first_line', 'integer', (c) => c.notNull())
    .addColumn('end_line', 'integer', (c) => c.notNull())
    .addColumn('open_after', 'boolean', (c) => c.notNull())
    .addPrimaryKeyConstraint('job_log_chunks_pk', ['job_id', 'seq'])
    .execute()
  // The first chunk that ends at or past a line: where a range of lines starts and ends.
  await db.schema
    .createIndex('job_log_chunks_end_line')
    .ifNotExists()
    .on(JOB_LOG_CHUNKS_TABLE)
    .columns(['job_id', 'end_line', 'seq'])
    .execute()
}

/** Drops the log tables (a rebuild). */
export async function dropJobLogTables(db: Kysely<JobLogDatabase>): Promise<void> {
  await db.schema.dropTable(JOB_LOG_CHUNKS_TABLE).ifExists().execute()
  await db.schema.dropTable(JOB_LOG_STATUS_TABLE).ifExists().execute()
}
