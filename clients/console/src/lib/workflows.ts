import type { components } from '@taskforge/sdk'

/** A workflow at one version, as `GET /:customer/workflow/:id` answers it. */
export type Workflow = components['schemas']['Workflow']
/** A run of a workflow, as `GET /:customer/workflow/job/:id` answers it. */
export type WorkflowRun = components['schemas']['WorkflowRun']

/**
 * A run that goes on (or waits for its turn, `ready`): cancel applies; an ended one that failed or
 * was canceled may be retried.
 */
export const runGoesOn = (run: Pick<WorkflowRun, 'lifecycle'>) =>
  run.lifecycle === 'assigned' || run.lifecycle === 'ready'
export const runRetriable = (run: Pick<WorkflowRun, 'lifecycle' | 'state'>) =>
  !runGoesOn(run) && (run.state === 'failure' || run.state === 'canceled')
