import { type Workflow, WorkflowDefinition } from '@taskforge/proto/catalog/v1/model'
import { type Kysely, sql } from 'kysely'
import type { KnownTask } from '../domain/workflow-definition.js'
import { openStored, type SecretSealer } from '../secrets/secret-sealer.js'
import type { CatalogTables } from './catalog-tables.js'
import type { WorkflowTables } from './workflows-projection.js'

/** A workflow that runs a task, as a 409 on the task's deletion names it. */
export interface WorkflowUsingTask {
  id: string
  name: string
}

/**
 * Queries over the workflow read tables, scoped by customer like every catalog query: another
 * customer's workflow is simply not found.
 */
export class WorkflowReadModel {
  readonly #db: Kysely<WorkflowTables & CatalogTables>
  readonly #sealer: SecretSealer

  constructor(db: Kysely<WorkflowTables & CatalogTables>, sealer: SecretSealer) {
    this.#db = db
    this.#sealer = sealer
  }

  /**
   * A live workflow's key of runs by secret, opened: '' for a workflow created before workflows had
   * one; undefined for no such workflow.
   */
  async getWorkflowCredentials(
    customer: string,
    id: string,
  ): Promise<{ id: string; secret: string } | undefined> {
    const row = await this.#db
      .selectFrom('workflows')
      .leftJoin('workflow_secrets', 'workflow_secrets.id', 'workflows.id')
      .select(['workflows.id as id', 'workflow_secrets.sealed_secret as sealed_secret'])
      .where('workflows.customer', '=', customer)
      .where('workflows.id', '=', id)
      .executeTakeFirst()
    if (row === undefined) return undefined
    const secret =
      row.sealed_secret === null
        ? ''
        : openStored(this.#sealer, row.sealed_secret, {
            purpose: 'workflow-secret',
            customer,
            workflowId: id,
          })
    return { id: row.id, secret }
  }

  /**
   * The latest version with its key of runs by secret, opened, in one query, by id alone unless
   * `customer` is given: what a run by secret key needs ('' for a workflow without a key).
   */
  async getWorkflowWithSecret(
    customer: string,
    id: string,
  ): Promise<{ workflow: Workflow; secret: string } | undefined> {
    const row = await this.#db
      .selectFrom('workflows')
      .leftJoin('workflow_secrets', 'workflow_secrets.id', 'workflows.id')
      .selectAll('workflows')
      .select('workflow_secrets.sealed_secret as sealed_secret')
      .where('workflows.id', '=', id)
      .$if(customer !== '', (query) => query.where('workflows.customer', '=', customer))
      .executeTakeFirst()
    if (row === undefined) return undefined
    const secret =
      row.sealed_secret === null
        ? ''
        : openStored(this.#sealer, row.sealed_secret, {
            purpose: 'workflow-secret',
            customer: row.customer,
            workflowId: id,
          })
    const workflow: Workflow = {
      id: row.id,
      customer: row.customer,
      version: row.version,
      definition: WorkflowDefinition.decode(row.definition),
      creationDate: row.created_at,
      lastUpdate: row.updated_at,
    }
    return { workflow, secret }
  }

  /** The latest version, or version `version` (when not 0). */
  async getWorkflow(customer: string, id: string, version = 0): Promise<Workflow | undefined> {
    const latest = await this.#db
      .selectFrom('workflows')
      .selectAll()
      .where('customer', '=', customer)
      .where('id', '=', id)
      .executeTakeFirst()
    if (latest === undefined) return undefined
    const base = { id: latest.id, customer: latest.customer, creationDate: latest.created_at }
    if (version === 0 || version === latest.version) {
      return {
        ...base,
        version: latest.version,
        definition: WorkflowDefinition.decode(latest.definition),
        lastUpdate: latest.updated_at,
      }
    }
    const old = await this.#db
      .selectFrom('workflow_versions')
      .selectAll()
      .where('customer', '=', customer)
      .where('id', '=', id)
      .where('version', '=', version)
      .executeTakeFirst()
    if (old === undefined) return undefined
    return {
      ...base,
      version: old.version,
      definition: WorkflowDefinition.decode(old.definition),
      lastUpdate: old.saved_at,
    }
  }

  /** The latest version of each, in creation order. */
  async listWorkflows(customer: string): Promise<Workflow[]> {
    const rows = await this.#db
      .selectFrom('workflows')
      .selectAll()
      .where('customer', '=', customer)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    return rows.map((row) => ({
      id: row.id,
      customer: row.customer,
      version: row.version,
      definition: WorkflowDefinition.decode(row.definition),
      creationDate: row.created_at,
      lastUpdate: row.updated_at,
    }))
  }

  /** Live workflows whose latest version runs the task. */
  async workflowsUsingTask(customer: string, taskId: string): Promise<WorkflowUsingTask[]> {
    return this.#db
      .selectFrom('workflows')
      .select(['id', 'name'])
      .where('customer', '=', customer)
      .where(sql<boolean>`task_ids @> ARRAY[${taskId}]::text[]`)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
  }

  /** Those of `ids` that are live tasks of the customer, with the arguments a run gives each. */
  async existingTasks(customer: string, ids: readonly string[]): Promise<Map<string, KnownTask>> {
    if (ids.length === 0) return new Map()
    const rows = await this.#db
      .selectFrom('tasks')
      .select(['id', 'definition'])
      .where('customer', '=', customer)
      .where('id', 'in', ids)
      .execute()
    return new Map(
      rows.map((row) => {
        const slots = [...(row.definition.taskArguments ?? [])]
          .sort((a, b) => a.order - b.order)
          .filter((argument) => argument.type !== 'fixed')
          .map((argument) => ({ label: argument.label, required: argument.required }))
        return [row.id, { arguments: slots }]
      }),
    )
  }
}
