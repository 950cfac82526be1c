import { createHash } from 'node:crypto'
import {
  checkTaskArguments,
  type Decider,
  invalidState,
  isAppError,
  notFound,
  validationFailed,
} from '@taskforge/core'
import type { FinishedState } from '@taskforge/model'
import type { TaskArgument, WorkflowDefinition, WorkflowNode } from '@taskforge/proto/catalog/v1/model'
import type { TriggerChain } from '@taskforge/proto/jobs/v1/events'
import type { WorkflowRunEvent } from '@taskforge/proto/jobs/v1/workflow_runs'
import { resolveTaskArguments } from '../domain/task-arguments.js'

export type RunDomainEvent = NonNullable<WorkflowRunEvent['event']>

/** The states a node of a run goes through (`waiting` and `expired` are an approval or input step's). */
export const NodeStates = {
  pending: 'pending',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  skipped: 'skipped',
  canceled: 'canceled',
  waiting: 'waiting',
  expired: 'expired',
} as const
export type NodeStateName = (typeof NodeStates)[keyof typeof NodeStates]

/** How a run ended, in the job vocabulary. */
export type RunOutcome = 'success' | 'failure' | 'canceled'

/** Edge events every job ends with besides the custom one its last line may name. */
const BUILTIN_EVENTS: ReadonlySet<string> = new Set(['success', 'failure', 'always', 'expired'])

export interface NodeRun {
  state: NodeStateName
  /** Every job the node had, oldest first (retries of the node and of the run included). */
  jobIds: readonly string[]
  /** The job running now, if any. */
  liveJob: string | undefined
  /** The attempt of the live job (from 1), or of the next one when a retry waits. */
  attempt: number
  /** A retry of the node is due then; its job is not queued yet. */
  retryDueAt: Date | undefined
  /** The output lines later nodes take, by position (kept for a node that succeeded). */
  outputs: ReadonlyMap<number, string>
  /** An input step's answers later nodes take, by label. */
  namedOutputs: ReadonlyMap<string, string>
  reason: string
}

export interface WorkflowRunState {
  /** Undefined until the run started. */
  runId: string | undefined
  customer: string
  workflowId: string
  version: number
  arguments: readonly string[]
  origin: string
  author: string
  /** The id of the token that started the run ('' without one): it decides none of its steps. */
  authorId: string
  /** Undefined before the start; `running` until it ended. */
  status: 'running' | RunOutcome | undefined
  /** Nodes that were touched; a node absent is pending. */
  nodes: ReadonlyMap<string, NodeRun>
  /** Edges settled, by position in the definition: taken or not. */
  edges: ReadonlyMap<number, boolean>
  cancelRequested: boolean
  /** The run waits for its turn (its workflow runs one run at a time) behind this run. */
  heldBehind: string | undefined
  /** The run waits for its trigger's grace time, until then. */
  heldUntil: Date | undefined
  /** Where a triggered run stands in its chain of triggers; its nodes' jobs carry it. */
  chain: TriggerChain | undefined
  tries: number
  reason: string
}

/** What the command side knows of a node's task: what it takes, or why it cannot run. */
export type NodeTaskFacts =
  | {
      kind: 'ready'
      taskArguments: readonly Pick<TaskArgument, 'order' | 'type' | 'label' | 'value' | 'required'>[]
    }
  | { kind: 'refused'; reason: string }

/** Facts every decision of a run needs besides its state: the pinned definition, the tasks, the time. */
interface RunFacts {
  /** The definition at the run's version. */
  definition: WorkflowDefinition
  /**
   * The tasks of nodes this decision may start. A task missing here makes the decision a draft (its
   * nodes start with no arguments): the command side reads the tasks a draft starts and decides again.
   */
  tasks: ReadonlyMap<string, NodeTaskFacts>
  now: Date
}

export interface StartRun extends RunFacts {
  type: 'StartRun'
  runId: string
  customer: string
  workflowId: string
  version: number
  arguments: readonly string[]
  origin: string
  author: string
  /** The id of the token that started it; '' or absent without one. */
  authorId?: string
  /**
   * The live run this one waits behind: its workflow runs one run at a time (`multitasking: false`),
   * as the command side found under the workflow's lock. Undefined: the run starts its nodes now.
   */
  heldBehind?: string
  /** A trigger's grace time: the run waits until then before any node starts. */
  holdUntil?: Date
  /** The chain of triggers a triggered run joins. */
  chain?: TriggerChain
  /**
   * Why a triggered run may not run (its chain of triggers comes back to the workflow, or runs too
   * deep): the run is recorded, and ends canceled with the reason at once.
   */
  refusal?: string
}

/** A job of the run ended (as its events say). */
export interface NodeJobEnd {
  jobId: string
  outcome: FinishedState
  /** The job's output lines. */
  output: readonly string[]
  /** The job's last output line (the custom event it may name). */
  lastLine: string
  reason: string
  /** The answers of an input step, by label. */
  answers?: Readonly<Record<string, string>>
}

/** Records jobs that ended, starts retries that are due and every node that became ready. */
export interface AdvanceRun extends RunFacts {
  type: 'AdvanceRun'
  ended: readonly NodeJobEnd[]
  /** The run's turn came: a held run starts its nodes (a run that is not held ignores it). */
  release?: boolean
  /** The grace time of a triggered run is over: it starts its nodes (unless it also waits its turn). */
  graceOver?: boolean
}

export interface CancelRun extends RunFacts {
  type: 'CancelRun'
  customer: string
  reason: string
  author: string
}

export interface RetryRun extends RunFacts {
  type: 'RetryRun'
  customer: string
  author: string
}

export type WorkflowRunCommand = StartRun | AdvanceRun | CancelRun | RetryRun

const initialState = (): WorkflowRunState => ({
  runId: undefined,
  customer: '',
  workflowId: '',
  version: 0,
  arguments: [],
  origin: '',
  author: '',
  authorId: '',
  status: undefined,
  nodes: new Map(),
  edges: new Map(),
  cancelRequested: false,
  heldBehind: undefined,
  heldUntil: undefined,
  chain: undefined,
  tries: 0,
  reason: '',
})

const pendingNode = (): NodeRun => ({
  state: 'pending',
  jobIds: [],
  liveJob: undefined,
  attempt: 0,
  retryDueAt: undefined,
  outputs: new Map(),
  namedOutputs: new Map(),
  reason: '',
})

export function nodeOf(state: WorkflowRunState, key: string): NodeRun {
  return state.nodes.get(key) ?? pendingNode()
}

/** Whether a node is done for this try of the run. */
export function isSettled(node: NodeRun): boolean {
  return node.state !== 'pending' && node.state !== 'running' && node.state !== 'waiting'
}

/** How long an approval or input step waits when its definition says nothing: 72 hours. */
export const DEFAULT_STEP_EXPIRY_SECONDS = 72 * 3600

/** The approval or input step of a node, or undefined for a task node. */
export function stepOf(
  node: WorkflowNode,
): { kind: 'approval' | 'input'; approvers: string[]; required: number; expiresIn: number } | undefined {
  const step = node.step
  if (step?.$case === 'approval') {
    const { approvers, required, expiresIn } = step.value
    return {
      kind: 'approval',
      approvers,
      required: Math.max(1, required),
      expiresIn: expiresIn || DEFAULT_STEP_EXPIRY_SECONDS,
    }
  }
  if (step?.$case === 'input') {
    const { approvers, expiresIn } = step.value
    return { kind: 'input', approvers, required: 1, expiresIn: expiresIn || DEFAULT_STEP_EXPIRY_SECONDS }
  }
  return undefined
}

/**
 * The id of a node's `n`th job (from 0) in a run: derived, so that a decision taken twice names the
 * same job, which is queued once.
 */
export function nodeJobId(runId: string, key: string, n: number): string {
  const hex = createHash('sha256').update(`${runId}\n${key}\n${n}`).digest('hex')
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/** The node's task id, or undefined for an approval or input step. */
export function taskOf(node: WorkflowNode): string | undefined {
  return node.step?.$case === 'taskId' ? node.step.value : undefined
}

/** Line positions and answer labels of a node's output that the definition's argument mappings take. */
function referencedOutputs(
  definition: WorkflowDefinition,
  key: string,
): { lines: Set<number>; names: Set<string> } {
  const lines = new Set<number>()
  const names = new Set<string>()
  for (const node of definition.nodes) {
    for (const argument of node.arguments) {
      const source = argument.source
      if (source?.$case !== 'from' || source.value.node !== key) continue
      const output = source.value.output
      if (output?.$case === 'index') lines.add(output.value)
      else if (output?.$case === 'name') names.add(output.value)
    }
  }
  return { lines, names }
}

/** The values a node gives its task, from fixed values, predecessors' output lines and the run's arguments. */
export function mapArguments(state: WorkflowRunState, node: WorkflowNode): string[] {
  return node.arguments.map((argument) => {
    const source = argument.source
    if (source === undefined) return ''
    if (source.$case === 'value') return source.value
    const { node: from, output } = source.value
    if (output?.$case === 'name') return nodeOf(state, from).namedOutputs.get(output.value) ?? ''
    if (output?.$case !== 'index') return ''
    if (from === '$run') return state.arguments[output.value] ?? ''
    return nodeOf(state, from).outputs.get(output.value) ?? ''
  })
}

/** Decisions of one command: each event is folded as it is emitted, so later rules see it. */
class Decision {
  readonly events: RunDomainEvent[] = []
  constructor(public state: WorkflowRunState) {}
  emit(event: RunDomainEvent): void {
    this.events.push(event)
    this.state = evolve(this.state, event)
  }
}

/** The edges into and out of each node, by position: worked out once per definition. */
interface Graph {
  incoming: ReadonlyMap<string, readonly number[]>
  outgoing: ReadonlyMap<string, readonly number[]>
}
const graphs = new WeakMap<WorkflowDefinition, Graph>()

function graphOf(definition: WorkflowDefinition): Graph {
  let graph = graphs.get(definition)
  if (graph === undefined) {
    const incoming = new Map<string, number[]>()
    const outgoing = new Map<string, number[]>()
    definition.edges.forEach((edge, index) => {
      incoming.set(edge.to, [...(incoming.get(edge.to) ?? []), index])
      outgoing.set(edge.from, [...(outgoing.get(edge.from) ?? []), index])
    })
    graph = { incoming, outgoing }
    graphs.set(definition, graph)
  }
  return graph
}

function incoming(definition: WorkflowDefinition, key: string): readonly number[] {
  return graphOf(definition).incoming.get(key) ?? []
}

function outgoing(definition: WorkflowDefinition, key: string): readonly number[] {
  return graphOf(definition).outgoing.get(key) ?? []
}

/** Queues a node's next job: its arguments mapped and checked, or the node fails with the reason. */
function startNode(d: Decision, facts: RunFacts, node: WorkflowNode, attempt: number): void {
  const runId = d.state.runId!
  const current = nodeOf(d.state, node.key)
  const jobId = nodeJobId(runId, node.key, current.jobIds.length)
  const step = stepOf(node)
  if (step !== undefined) {
    // A step is a job no bot runs: it waits for people until it expires (decision 32).
    d.emit({
      $case: 'nodeStarted',
      value: {
        key: node.key,
        jobId,
        attempt,
        arguments: [],
        step: step.kind,
        expiresAt: new Date(facts.now.getTime() + step.expiresIn * 1000),
      },
    })
    return
  }
  const taskId = taskOf(node) ?? ''
  const task = facts.tasks.get(taskId)
  if (task === undefined) {
    d.emit({
      $case: 'nodeStarted',
      value: { key: node.key, jobId, attempt, arguments: [], step: '', expiresAt: undefined },
    })
    return
  }
  let argv: string[]
  try {
    if (task.kind === 'refused') throw validationFailed(task.reason)
    argv = resolveTaskArguments(task.taskArguments, mapArguments(d.state, node))
    checkTaskArguments(argv, `the arguments of node ${node.key}`)
  } catch (error) {
    if (!isAppError(error)) throw error
    endNode(d, facts, node, { state: 'failed', jobId: '', outcome: 'error', reason: error.message })
    return
  }
  d.emit({
    $case: 'nodeStarted',
    value: { key: node.key, jobId, attempt, arguments: argv, step: '', expiresAt: undefined },
  })
}

interface NodeEnd {
  state: 'succeeded' | 'failed' | 'canceled' | 'expired'
  jobId: string
  outcome: string
  reason: string
  output?: readonly string[]
  lastLine?: string
  answers?: Readonly<Record<string, string>>
}

/** A node ended: the edges whose `on` matches how it ended are taken, the others are not. */
function endNode(d: Decision, facts: RunFacts, node: WorkflowNode, end: NodeEnd): void {
  const { definition } = facts
  const how = end.state === 'succeeded' ? 'success' : end.state === 'expired' ? 'expired' : 'failure'
  const events = new Set(['always', how])
  const lastLine = (end.lastLine ?? '').trim()
  const out = outgoing(definition, node.key)
  const custom = out.some((index) => {
    const on = definition.edges[index]!.on
    return on === lastLine && !BUILTIN_EVENTS.has(on)
  })
  if (custom) events.add(lastLine)
  const taken = out.filter((index) => events.has(definition.edges[index]!.on || 'success'))
  const referenced = referencedOutputs(definition, node.key)
  const outputs: Record<number, string> = {}
  for (const line of referenced.lines) {
    const value = end.output?.[line]
    if (value !== undefined) outputs[line] = value
  }
  const namedOutputs: Record<string, string> = {}
  for (const name of referenced.names) {
    const value = end.answers?.[name]
    if (value !== undefined) namedOutputs[name] = value
  }
  d.emit({
    $case: 'nodeEnded',
    value: {
      key: node.key,
      jobId: end.jobId,
      state: end.state,
      outcome: end.outcome,
      eventName: custom ? lastLine : '',
      outputs,
      namedOutputs,
      reason: end.reason,
      taken,
      notTaken: out.filter((index) => !taken.includes(index)),
    },
  })
}

/** Starts what became ready and skips what cannot run, until nothing changes; then ends the run if all settled. */
function progress(d: Decision, facts: RunFacts): void {
  const { definition, now } = facts
  if (!d.state.cancelRequested) {
    for (const node of definition.nodes) {
      const run = nodeOf(d.state, node.key)
      if (
        run.state === 'running' &&
        run.liveJob === undefined &&
        run.retryDueAt !== undefined &&
        run.retryDueAt <= now
      )
        startNode(d, facts, node, run.attempt)
    }
  }
  for (let changed = true; changed && !d.state.cancelRequested; ) {
    changed = false
    for (const node of definition.nodes) {
      if (nodeOf(d.state, node.key).state !== 'pending') continue
      const edges = incoming(definition, node.key)
      const settled = edges.filter((index) => d.state.edges.has(index))
      const anyTaken = settled.some((index) => d.state.edges.get(index) === true)
      const allSettled = settled.length === edges.length
      const ready = edges.length === 0 || (anyTaken && (node.join === 'any' || allSettled))
      if (ready) {
        startNode(d, facts, node, 1)
        changed = true
      } else if (allSettled) {
        d.emit({
          $case: 'nodeSkipped',
          value: { key: node.key, notTaken: [...outgoing(definition, node.key)] },
        })
        changed = true
      }
    }
  }
  settle(d, facts)
}

/** The run ends once no node can change any more. */
function settle(d: Decision, facts: RunFacts): void {
  const { definition, now } = facts
  const nodes = definition.nodes.map((node) => ({ node, run: nodeOf(d.state, node.key) }))
  if (nodes.some(({ run }) => run.state === 'running' || run.state === 'waiting')) return
  if (d.state.cancelRequested) {
    for (const { node, run } of nodes)
      if (run.state === 'pending') d.emit({ $case: 'nodeCanceled', value: { key: node.key } })
    d.emit({ $case: 'ended', value: { state: 'canceled', reason: 'the run was canceled', endedAt: now } })
    return
  }
  if (nodes.some(({ run }) => run.state === 'pending')) return
  // A node that failed is handled when an edge out of it was taken (`failure`, `always`, or a custom event).
  const unhandled = nodes.find(
    ({ node, run }) =>
      (run.state === 'failed' || run.state === 'canceled' || run.state === 'expired') &&
      !outgoing(definition, node.key).some((index) => d.state.edges.get(index) === true),
  )
  if (unhandled === undefined) {
    d.emit({ $case: 'ended', value: { state: 'success', reason: '', endedAt: now } })
    return
  }
  const why = unhandled.run.reason === '' ? '' : `: ${unhandled.run.reason}`
  d.emit({
    $case: 'ended',
    value: {
      state: 'failure',
      reason: `node ${unhandled.node.key} ${unhandled.run.state}${why}`,
      endedAt: now,
    },
  })
}

/** A job of the run ended: the node ends, or waits for its next attempt when its `retry` allows one. */
function recordEnd(d: Decision, facts: RunFacts, end: NodeJobEnd): void {
  const node = facts.definition.nodes.find(
    (candidate) => nodeOf(d.state, candidate.key).liveJob === end.jobId,
  )
  // A job the run does not wait for (its end recorded already): nothing to do.
  if (node === undefined) return
  const run = nodeOf(d.state, node.key)
  if (stepOf(node) !== undefined) {
    // A step ends as it was decided: approved or answered, rejected, expired (as its job's end says).
    const state =
      end.outcome === 'success'
        ? 'succeeded'
        : end.outcome === 'canceled'
          ? 'canceled'
          : end.outcome === 'timeout'
            ? 'expired'
            : 'failed'
    endNode(d, facts, node, { ...end, state })
    return
  }
  if (end.outcome === 'success') {
    endNode(d, facts, node, { ...end, state: 'succeeded' })
    return
  }
  if (end.outcome === 'canceled') {
    endNode(d, facts, node, { ...end, state: 'canceled' })
    return
  }
  const retry = node.retry
  if (!d.state.cancelRequested && retry !== undefined && run.attempt <= retry.max) {
    const delayMs = retry.backoff * 1000 * 2 ** (run.attempt - 1)
    d.emit({
      $case: 'nodeRetryScheduled',
      value: {
        key: node.key,
        attempt: run.attempt + 1,
        dueAt: new Date(facts.now.getTime() + delayMs),
        reason: end.reason || `the job ended ${end.outcome}`,
      },
    })
    return
  }
  endNode(d, facts, node, { ...end, state: 'failed', reason: end.reason || `the job ended ${end.outcome}` })
}

function requireRun(state: WorkflowRunState, customer: string): string {
  if (state.runId === undefined || state.customer !== customer) throw notFound('workflow run')
  return state.runId
}

/** Whether a run waits, for its turn or its grace time: no node starts. */
export function isHeld(state: WorkflowRunState): boolean {
  return state.heldBehind !== undefined || state.heldUntil !== undefined
}

function heldReason(command: StartRun): string {
  if (command.refusal !== undefined) return ''
  if (command.holdUntil !== undefined) return graceReason(command.holdUntil)
  if (command.heldBehind !== undefined) return turnReason(command.heldBehind)
  return ''
}

const graceReason = (until: Date) => `the trigger's grace time: this run starts at ${until.toISOString()}`
const turnReason = (behind: string) =>
  `the workflow runs one run at a time: this run waits for run ${behind} to end`

function start(command: StartRun, state: WorkflowRunState): RunDomainEvent[] {
  if (state.runId !== undefined) {
    // A start decided again (the same run id) answers the run it created.
    if (state.customer === command.customer) return []
    throw invalidState(`workflow run ${command.runId} already exists`)
  }
  const empty = command.definition.nodes.find((node) => node.step === undefined)
  if (empty !== undefined)
    throw validationFailed(`node ${empty.key} has no step`, { field: 'nodes', node: empty.key })
  const d = new Decision(state)
  d.emit({
    $case: 'started',
    value: {
      runId: command.runId,
      customer: command.customer,
      workflowId: command.workflowId,
      version: command.version,
      arguments: [...command.arguments],
      origin: command.origin,
      author: command.author,
      authorId: command.authorId ?? '',
      startedAt: command.now,
      nodeKeys: command.definition.nodes.map((node) => node.key),
      heldBehindRunId: command.heldBehind ?? '',
      heldReason: heldReason(command),
      chain: command.chain,
      heldUntil: command.holdUntil,
    },
  })
  if (command.refusal !== undefined) {
    d.emit({ $case: 'ended', value: { state: 'canceled', reason: command.refusal, endedAt: command.now } })
    return d.events
  }
  if (isHeld(d.state)) return d.events
  progress(d, command)
  return d.events
}

function cancel(command: CancelRun, state: WorkflowRunState): RunDomainEvent[] {
  const runId = requireRun(state, command.customer)
  if (state.status !== 'running')
    throw invalidState(`workflow run ${runId} already ended`, { state: state.status })
  if (state.cancelRequested) return []
  const d = new Decision(state)
  d.emit({ $case: 'cancelRequested', value: { reason: command.reason, author: command.author } })
  // A retry that waits has no job to cancel: the node is canceled now.
  for (const node of command.definition.nodes) {
    const run = nodeOf(d.state, node.key)
    if (run.state === 'running' && run.liveJob === undefined)
      d.emit({ $case: 'nodeCanceled', value: { key: node.key } })
  }
  settle(d, command)
  return d.events
}

function retry(command: RetryRun, state: WorkflowRunState): RunDomainEvent[] {
  const runId = requireRun(state, command.customer)
  if (state.status !== 'failure' && state.status !== 'canceled') {
    throw invalidState(
      `workflow run ${runId} is ${state.status === 'running' ? 'still running' : 'a success'}: only a failed or canceled run is retried`,
      {
        state: state.status,
      },
    )
  }
  const { definition } = command
  const nodes = definition.nodes
    .map((node) => node.key)
    .filter((key) => {
      const node = nodeOf(state, key)
      return node.state !== 'succeeded'
    })
  const reset = new Set(nodes)
  const edges = definition.edges.flatMap((edge, index) => (reset.has(edge.from) ? [index] : []))
  const d = new Decision(state)
  d.emit({ $case: 'retried', value: { nodes, edges, try: state.tries + 1, author: command.author } })
  progress(d, command)
  return d.events
}

function decide(command: WorkflowRunCommand, state: WorkflowRunState): RunDomainEvent[] {
  switch (command.type) {
    case 'StartRun':
      return start(command, state)
    case 'AdvanceRun': {
      if (state.status !== 'running') return []
      const d = new Decision(state)
      if (isHeld(state)) {
        // A held run has no job: only its turn, and the end of its grace time, move it.
        const turn = command.release === true && state.heldBehind !== undefined
        const grace = command.graceOver === true && state.heldUntil !== undefined
        if (grace)
          d.emit({
            $case: 'released',
            value: {
              graceOver: true,
              heldReason: turn || state.heldBehind === undefined ? '' : turnReason(state.heldBehind),
            },
          })
        if (turn)
          d.emit({
            $case: 'released',
            value: {
              graceOver: false,
              heldReason: d.state.heldUntil === undefined ? '' : graceReason(d.state.heldUntil),
            },
          })
        if (isHeld(d.state)) return d.events
      }
      for (const end of command.ended) recordEnd(d, command, end)
      progress(d, command)
      return d.events
    }
    case 'CancelRun':
      return cancel(command, state)
    case 'RetryRun':
      return retry(command, state)
  }
}

function withNode(
  state: WorkflowRunState,
  key: string,
  change: (node: NodeRun) => NodeRun,
): WorkflowRunState {
  const nodes = new Map(state.nodes)
  nodes.set(key, change(nodeOf(state, key)))
  return { ...state, nodes }
}

function withEdges(
  state: WorkflowRunState,
  taken: readonly number[],
  notTaken: readonly number[],
): WorkflowRunState {
  if (taken.length === 0 && notTaken.length === 0) return state
  const edges = new Map(state.edges)
  for (const index of taken) edges.set(index, true)
  for (const index of notTaken) edges.set(index, false)
  return { ...state, edges }
}

function evolve(state: WorkflowRunState, event: RunDomainEvent): WorkflowRunState {
  switch (event.$case) {
    case 'started': {
      const s = event.value
      return {
        ...state,
        runId: s.runId,
        customer: s.customer,
        workflowId: s.workflowId,
        version: s.version,
        arguments: s.arguments,
        origin: s.origin,
        author: s.author,
        authorId: s.authorId,
        status: 'running',
        heldBehind: s.heldBehindRunId === '' ? undefined : s.heldBehindRunId,
        heldUntil: s.heldUntil,
        chain: s.chain,
      }
    }
    case 'nodeStarted': {
      const { key, jobId, attempt, step } = event.value
      return withNode(state, key, (node) => ({
        ...node,
        state: step === '' ? 'running' : 'waiting',
        jobIds: [...node.jobIds, jobId],
        liveJob: jobId,
        attempt,
        retryDueAt: undefined,
        reason: '',
      }))
    }
    case 'nodeRetryScheduled': {
      const { key, attempt, dueAt, reason } = event.value
      return withNode(state, key, (node) => ({
        ...node,
        state: 'running',
        liveJob: undefined,
        attempt,
        retryDueAt: dueAt ?? new Date(0),
        reason,
      }))
    }
    case 'nodeEnded': {
      const { key, state: ended, outputs, namedOutputs, reason, taken, notTaken } = event.value
      const next = withNode(state, key, (node) => ({
        ...node,
        state: ended as NodeStateName,
        liveJob: undefined,
        retryDueAt: undefined,
        outputs: new Map(Object.entries(outputs).map(([line, value]) => [Number(line), value])),
        namedOutputs: new Map(Object.entries(namedOutputs)),
        reason,
      }))
      return withEdges(next, taken, notTaken)
    }
    case 'nodeSkipped': {
      const next = withNode(state, event.value.key, (node) => ({ ...node, state: 'skipped' }))
      return withEdges(next, [], event.value.notTaken)
    }
    case 'cancelRequested':
      return { ...state, cancelRequested: true, reason: event.value.reason }
    case 'released':
      return event.value.graceOver ? { ...state, heldUntil: undefined } : { ...state, heldBehind: undefined }
    case 'nodeCanceled':
      return withNode(state, event.value.key, (node) => ({
        ...node,
        state: 'canceled',
        liveJob: undefined,
        retryDueAt: undefined,
      }))
    case 'ended':
      return {
        ...state,
        status: event.value.state as RunOutcome,
        reason: event.value.reason,
        heldBehind: undefined,
        heldUntil: undefined,
      }
    case 'retried': {
      const nodes = new Map(state.nodes)
      for (const key of event.value.nodes) {
        const node = nodeOf(state, key)
        nodes.set(key, { ...pendingNode(), jobIds: node.jobIds })
      }
      const edges = new Map(state.edges)
      for (const index of event.value.edges) edges.delete(index)
      return {
        ...state,
        nodes,
        edges,
        status: 'running',
        cancelRequested: false,
        tries: event.value.try,
        reason: '',
      }
    }
  }
}

/** The jobs of a run that are live now: cancel stops every one. */
export function liveJobs(state: WorkflowRunState): string[] {
  return [...state.nodes.values()].flatMap((node) => (node.liveJob === undefined ? [] : [node.liveJob]))
}

/** When the next retry of a node is due, if one waits. */
export function nextRetryDue(state: WorkflowRunState): Date | undefined {
  let due: Date | undefined
  for (const node of state.nodes.values()) {
    if (node.retryDueAt !== undefined && (due === undefined || node.retryDueAt < due)) due = node.retryDueAt
  }
  return due
}

/**
 * A run of a workflow, pinned to one version of its definition (decision 31): nodes start when the
 * edges into them say so (`join`), end with their job, take the edges their end matches and skip
 * what can no longer run; the run ends when every node settled, failed if a node failed that no
 * edge handled. Pure: the definition, the tasks and the time come with each command.
 */
export const workflowRunDecider: Decider<WorkflowRunCommand, WorkflowRunState, RunDomainEvent> = {
  decide,
  evolve,
  initialState,
}
