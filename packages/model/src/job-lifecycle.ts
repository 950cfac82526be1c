import { JobLifecycle, JobState } from '@taskforge/proto/jobs/v1/model'

/**
 * The public names of `jobs.v1.JobLifecycle` (the API, the read model and webhooks speak them):
 * each enum value's lowercase suffix. The proto enum is the list; this map is its spelling.
 */
export const LifecycleNames = {
  [JobLifecycle.JOB_LIFECYCLE_ONHOLD]: 'onhold',
  [JobLifecycle.JOB_LIFECYCLE_READY]: 'ready',
  [JobLifecycle.JOB_LIFECYCLE_ASSIGNED]: 'assigned',
  [JobLifecycle.JOB_LIFECYCLE_FINISHED]: 'finished',
  [JobLifecycle.JOB_LIFECYCLE_TERMINATED]: 'terminated',
  [JobLifecycle.JOB_LIFECYCLE_CANCELED]: 'canceled',
  [JobLifecycle.JOB_LIFECYCLE_WAITING]: 'waiting',
} as const
export type JobLifecycleName = (typeof LifecycleNames)[keyof typeof LifecycleNames]

/** The public names of `jobs.v1.JobState`. */
export const StateNames = {
  [JobState.JOB_STATE_IN_PROGRESS]: 'in_progress',
  [JobState.JOB_STATE_SUCCESS]: 'success',
  [JobState.JOB_STATE_FAILURE]: 'failure',
  [JobState.JOB_STATE_TIMEOUT]: 'timeout',
  [JobState.JOB_STATE_CANCELED]: 'canceled',
  [JobState.JOB_STATE_ERROR]: 'error',
} as const
export type JobStateName = (typeof StateNames)[keyof typeof StateNames]

/** Every lifecycle, in the order a job goes through them. */
export const JobLifecycles = Object.values(LifecycleNames) as readonly JobLifecycleName[]
/** Every state. */
export const JobStates = Object.values(StateNames) as readonly JobStateName[]

/** Outcomes a bot may report when a job ends: every state but `in_progress`. */
export const FinishedStates = JobStates.filter((state) => state !== 'in_progress') as readonly Exclude<
  JobStateName,
  'in_progress'
>[]
export type FinishedState = Exclude<JobStateName, 'in_progress'>

/** Lifecycles of a job that has ended. */
export const TerminalLifecycles: ReadonlySet<string> = new Set<JobLifecycleName>([
  'finished',
  'terminated',
  'canceled',
])

/** Lifecycles of a job no bot has started yet (it may still be canceled without asking a bot). */
export const NotStartedLifecycles = [
  'onhold',
  'ready',
  'assigned',
] as const satisfies readonly JobLifecycleName[]

const lifecycleCodes = new Map<string, JobLifecycle>(
  Object.entries(LifecycleNames).map(([code, name]) => [name, Number(code) as JobLifecycle]),
)
const stateCodes = new Map<string, JobState>(
  Object.entries(StateNames).map(([code, name]) => [name, Number(code) as JobState]),
)

/** Whether a lifecycle (a public name, or absent) is one of a job that has ended. */
export function isTerminalLifecycle(lifecycle: string | undefined): boolean {
  return lifecycle !== undefined && TerminalLifecycles.has(lifecycle)
}

export function isFinishedState(state: string): state is FinishedState {
  return (FinishedStates as readonly string[]).includes(state)
}

/**
 * The lifecycle a job ends in for a reported outcome: a canceled run is `canceled`, other failures
 * of the run itself (timeout, error) are `terminated`.
 */
export function lifecycleOf(state: FinishedState): JobLifecycleName {
  if (state === 'canceled') return 'canceled'
  return state === 'success' || state === 'failure' ? 'finished' : 'terminated'
}

/** The enum value of a lifecycle's public name; UNSPECIFIED for a name it does not know. */
export function lifecycleCode(name: string): JobLifecycle {
  return lifecycleCodes.get(name) ?? JobLifecycle.JOB_LIFECYCLE_UNSPECIFIED
}

/** The enum value of a state's public name; UNSPECIFIED for a name it does not know. */
export function stateCode(name: string): JobState {
  return stateCodes.get(name) ?? JobState.JOB_STATE_UNSPECIFIED
}

/**
 * A lifecycle's public name: from the enum when set, else the string a message older than the
 * enum carries as it is.
 */
export function lifecycleName(code: JobLifecycle, fallback: string): string {
  return (LifecycleNames as Record<number, JobLifecycleName>)[code] ?? fallback
}

/** A state's public name: from the enum when set, else the string as it is. */
export function stateName(code: JobState, fallback: string): string {
  return (StateNames as Record<number, JobStateName>)[code] ?? fallback
}
