import type { TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import type { ColumnType } from 'kysely'

/** Read table of live scripts; deleted scripts are removed. */
export interface ScriptsTable {
  id: string
  customer: string
  version: number
  filename: string
  description: string
  content: Buffer
  /** Hex SHA-256 of `content`, and its length: what a job names the script by. */
  content_sha256: string
  content_size: number
  created_at: Date
  updated_at: Date
}

/**
 * Every content a script of a customer ever had, by its hash: what bots fetch a job's script from
 * (decision 15). Kept when the script changes or goes, as the queued jobs that name it still run it.
 */
export interface ScriptContentsTable {
  customer: string
  sha256: string
  size: number
  content: Buffer
}

/** Read table of live tasks; deleted tasks are removed. The definition is kept whole as JSON. */
export interface TasksTable {
  id: string
  customer: string
  version: number
  definition: ColumnType<TaskDefinition, string, string>
  name: string
  host_id: string
  script_id: string
  tags: string[]
  secret: string
  created_at: Date
  updated_at: Date
}

export interface CatalogTables {
  scripts: ScriptsTable
  script_contents: ScriptContentsTable
  tasks: TasksTable
}
