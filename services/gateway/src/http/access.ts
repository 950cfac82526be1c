import { isAppError, isId, notFound, validationFailed } from '@taskforge/core'
import type { Role } from '@taskforge/model'
import type { Script, Task, Workflow } from '@taskforge/proto/catalog/v1/model'
import type { Job } from '@taskforge/proto/jobs/v1/model'
import type { RunCaller } from '@taskforge/proto/jobs/v1/scheduler_service'
import type { WorkflowRun } from '@taskforge/proto/jobs/v1/workflow_runs'
import type { FastifyRequest } from 'fastify'
import type { Caller } from '../accounts/accounts.js'
import type { Clients } from '../clients/clients.js'
import type { TaskReads } from '../tasks/task-reads.js'
import { type Authenticator, requestField } from './auth.js'
import { type Audience, authorize, type Need, ORGANIZATION, sees, throughTasks } from './authorize.js'

/** A caller allowed `need` in `customer`: what a route acts with, and what its object is checked against. */
export interface Permit {
  readonly caller: Caller
  readonly customer: string
  readonly need: Need
}

/**
 * Every route's way through {@link authorize} (decision 16): first the caller, its organization and
 * its role (a permit), then, for a route on one object, the object as its owner answers it with the
 * acls it is reached through. Lists keep what the caller sees.
 */
export interface Access {
  /** The request's caller, allowed `need` in the organization `customer` names. */
  permit(request: FastifyRequest, customer: string, need: Role): Promise<Permit>
  /**
   * As {@link permit}, for routes whose path names no organization: `customer` comes from the query
   * or body, and a token that names none acts in its own organization.
   */
  permitNamed(request: FastifyRequest, need: Role): Promise<Permit>
  /** Only the operator's root token. */
  permitRoot(request: FastifyRequest): Promise<Caller>
  /** A task the permit reaches: another organization's, a missing one and a hidden one are the same 404. */
  task(permit: Permit, taskId: string): Promise<Task>
  /**
   * As {@link task} without answering it: the catalog is read only when the acls decide (below
   * admin). A run by an admin leaves the only read of the task to the scheduler (decision 11).
   */
  checkTask(permit: Permit, taskId: string): Promise<void>
  /**
   * Who a run checks the task's acls for, where the scheduler reads the task (decision 11: one read
   * per run): undefined when the caller sees every task (admins). A malformed id is a 404 at once.
   */
  runCaller(permit: Permit, taskId: string): RunCaller | undefined
  /** A job the permit reaches through its task. */
  job(permit: Permit, jobId: string): Promise<Job>
  /** A script the permit reaches through a task that runs it. */
  script(permit: Permit, scriptId: string): Promise<Script>
  /**
   * A workflow the permit reaches (its latest version, or `version`), seen below admin through its
   * own acls as a task is: another organization's, a missing one and a hidden one are the same 404.
   */
  workflow(permit: Permit, workflowId: string, version?: number): Promise<Workflow>
  /** A workflow run the permit reaches through its workflow (as a job through its task). */
  workflowRun(permit: Permit, runId: string): Promise<WorkflowRun>
  /** Whether the permit's caller sees this workflow of its organization (for lists). */
  seesWorkflow(permit: Permit, workflow: Workflow): boolean
  /** Whether the permit's caller sees this task of its organization (for lists). */
  seesTask(permit: Permit, task: Task): boolean
  /** The ids of the organization's tasks the caller sees, or undefined when it sees all (admins). */
  visibleTaskIds(permit: Permit): Promise<ReadonlySet<string> | undefined>
  /** The ids of the organization's scripts the caller sees, or undefined when it sees all (admins). */
  visibleScriptIds(permit: Permit): Promise<ReadonlySet<string> | undefined>
  /** The ids of the organization's workflows the caller sees, or undefined when it sees all (admins). */
  visibleWorkflowIds(permit: Permit): Promise<ReadonlySet<string> | undefined>
}

const isNotFound = (error: unknown) => isAppError(error) && error.code === 'NOT_FOUND'

export function createAccess(auth: Authenticator, clients: Clients, taskReads: TaskReads): Access {
  /** Whether the caller sees even what no task shows (admins): then no acl needs reading. */
  const seesAll = (permit: Permit) => sees(permit.caller, throughTasks([]))

  async function permit(request: FastifyRequest, customer: string, need: Need): Promise<Permit> {
    const caller = await auth.caller(request)
    // The operator may act as an admin of any organization that exists (token recovery, bootstrap).
    if (caller.kind === 'root' && need !== 'root' && !(await auth.organizationExists(customer)))
      throw notFound('customer', customer)
    authorize(caller, customer, need)
    return { caller, customer, need }
  }

  /** Checks the object against the permit, then answers it. */
  function admit<T extends { customer: string }>(
    { caller, customer, need }: Permit,
    what: string,
    id: string,
    object: T,
    audience: Audience,
  ): T {
    authorize(caller, customer, need, { what, id, customer: object.customer, audience })
    return object
  }

  async function getTask(customer: string, taskId: string): Promise<Task> {
    if (!isId(taskId)) throw notFound('task', taskId)
    const task = await taskReads.get(customer, taskId)
    if (task === undefined) throw notFound('task', taskId)
    return task
  }

  const tasks = (customer: string) => taskReads.list(customer)

  async function visibleTasks(permit: Permit): Promise<Task[]> {
    return (await tasks(permit.customer)).filter((task) => sees(permit.caller, throughTasks([task])))
  }

  async function task(permit: Permit, taskId: string): Promise<Task> {
    const found = await getTask(permit.customer, taskId)
    return admit(permit, 'task', taskId, found, throughTasks([found]))
  }

  async function workflowRun(permit: Permit, runId: string): Promise<WorkflowRun> {
    if (!isId(runId)) throw notFound('workflow run', runId)
    const { run } = await clients.scheduler.getWorkflowRun({ customer: permit.customer, runId })
    if (run === undefined) throw notFound('workflow run', runId)
    if (seesAll(permit)) return admit(permit, 'workflow run', runId, run, throughTasks([]))
    // A run of a deleted workflow is reached through nothing: admins only.
    const { workflow } = await clients.catalog
      .getWorkflow({ customer: permit.customer, workflowId: run.workflowId, version: 0, secret: '' })
      .catch((error: unknown) => {
        if (isNotFound(error)) return { workflow: undefined }
        throw error
      })
    return admit(permit, 'workflow run', runId, run, throughTasks(workflow === undefined ? [] : [workflow]))
  }

  return {
    permit,
    task,
    async permitNamed(request, need) {
      const named = requestField(request, 'customer')
      if (named !== '') return permit(request, named, need)
      const caller = await auth.caller(request)
      if (caller.customer === undefined)
        throw validationFailed('customer is required with the root token', { field: 'customer' })
      return permit(request, caller.customer, need)
    },
    async permitRoot(request) {
      return (await permit(request, '', 'root')).caller
    },

    runCaller(permit, taskId) {
      if (!isId(taskId)) throw notFound('task', taskId)
      if (seesAll(permit)) return undefined
      const { role, name, tags } = permit.caller
      return { role, name, tags }
    },
    async checkTask(permit, taskId) {
      if (seesAll(permit)) {
        if (!isId(taskId)) throw notFound('task', taskId)
        return
      }
      await task(permit, taskId)
    },
    async job(permit, jobId) {
      const { job } = await clients.scheduler.getJob({ customer: permit.customer, jobId })
      if (job === undefined) throw notFound('job', jobId)
      if (seesAll(permit)) return admit(permit, 'job', jobId, job, throughTasks([]))
      // A workflow step is no task's job: it is reached through its run's workflow (decision 32).
      if (job.taskId === '' && job.workflowRunId) {
        await workflowRun(permit, job.workflowRunId).catch((error: unknown) => {
          if (isNotFound(error)) throw notFound('job', jobId)
          throw error
        })
        return admit(permit, 'job', jobId, job, ORGANIZATION)
      }
      // A job of a deleted task is reached through no task: admins only.
      const its = await getTask(permit.customer, job.taskId).catch((error: unknown) => {
        if (isNotFound(error)) return undefined
        throw error
      })
      return admit(permit, 'job', jobId, job, throughTasks(its === undefined ? [] : [its]))
    },
    async script(permit, scriptId) {
      const [found, all] = await Promise.all([
        clients.catalog.getScript({ customer: permit.customer, scriptId }),
        seesAll(permit) ? [] : tasks(permit.customer),
      ])
      if (found.script === undefined) throw notFound('script', scriptId)
      const runners = all.filter((task) => task.definition?.scriptId === scriptId)
      return admit(permit, 'script', scriptId, found.script, throughTasks(runners))
    },

    async workflow(permit, workflowId, version = 0) {
      if (!isId(workflowId)) throw notFound('workflow', workflowId)
      // Who sees a workflow is decided by its latest acls, whatever version is asked.
      const { workflow: latest } = await clients.catalog.getWorkflow({
        customer: permit.customer,
        workflowId,
        version: 0,
        secret: '',
      })
      if (latest === undefined) throw notFound('workflow', workflowId)
      admit(permit, 'workflow', workflowId, latest, throughTasks([latest]))
      if (version === 0 || version === latest.version) return latest
      const { workflow } = await clients.catalog.getWorkflow({
        customer: permit.customer,
        workflowId,
        version,
        secret: '',
      })
      if (workflow === undefined) throw notFound('workflow', workflowId)
      return workflow
    },
    workflowRun,
    seesWorkflow(permit, workflow) {
      return sees(permit.caller, throughTasks([workflow]))
    },
    seesTask(permit, task) {
      return sees(permit.caller, throughTasks([task]))
    },
    async visibleTaskIds(permit) {
      if (seesAll(permit)) return undefined
      return new Set((await visibleTasks(permit)).map((task) => task.id))
    },
    async visibleScriptIds(permit) {
      if (seesAll(permit)) return undefined
      return new Set((await visibleTasks(permit)).map((task) => task.definition?.scriptId ?? ''))
    },
    async visibleWorkflowIds(permit) {
      if (seesAll(permit)) return undefined
      const { workflows } = await clients.catalog.listWorkflows({ customer: permit.customer })
      return new Set(
        workflows.filter((workflow) => sees(permit.caller, throughTasks([workflow]))).map((w) => w.id),
      )
    },
  }
}
