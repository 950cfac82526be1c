import { TaskDefinition } from '@taskforge/proto/catalog/v1/model'
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

/** A task definition as the `definition` column holds it: JSON, the sealed values in base64. */
export type StoredDefinition = Omit<TaskDefinition, 'secretEnv'> & { secretEnv?: Record<string, string> }

/** The JSON text of a definition for the `definition` column. */
export function definitionJson(definition: TaskDefinition): string {
  const secretEnv = Object.entries(definition.secretEnv).map(([name, sealed]) => [
    name,
    Buffer.from(sealed).toString('base64'),
  ])
  return JSON.stringify({ ...definition, secretEnv: Object.fromEntries(secretEnv) })
}

/** The definition a `definition` column holds. */
export function definitionOf(stored: StoredDefinition): TaskDefinition {
  const secretEnv = Object.entries(stored.secretEnv ?? {}).map(([name, sealed]) => [
    name,
    Buffer.from(sealed, 'base64'),
  ])
  return TaskDefinition.fromPartial({ ...stored, secretEnv: Object.fromEntries(secretEnv) })
}

/** Read table of live tasks; deleted tasks are removed. The definition is kept whole as JSON. */
export interface TasksTable {
  id: string
  customer: string
  version: number
  definition: ColumnType<StoredDefinition, string, string>
  name: string
  host_id: string
  script_id: string
  tags: string[]
  /** The secret key, sealed (decision 18). */
  sealed_secret: Buffer
  created_at: Date
  updated_at: Date
}

export interface CatalogTables {
  scripts: ScriptsTable
  script_contents: ScriptContentsTable
  tasks: TasksTable
}
