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
  created_at: Date
  updated_at: Date
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
  tasks: TasksTable
}
