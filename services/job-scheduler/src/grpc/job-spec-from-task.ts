import type { Script, Task } from '@taskforge/proto/catalog/v1/model'
import { JobSpec } from '@taskforge/proto/jobs/v1/model'
import { TaskDefaults } from '@taskforge/protocol'

/**
 * The work order copied from the task and its script when the job is created. The script goes by
 * reference, its content's hash and size: the bot fetches the content itself (decision 15).
 */
export function jobSpecFromTask(task: Task, script: Script): JobSpec {
  const d = task.definition
  return JobSpec.fromPartial({
    taskId: task.id,
    taskName: d?.name ?? '',
    hostId: d?.hostId ?? '',
    scriptFilename: script.filename,
    scriptSha256: script.contentSha256,
    scriptSize: script.contentSize,
    runAs: d?.runAs ?? '',
    env: d?.env ?? {},
    secretEnv: d?.secretEnv ?? {},
    timeout: d?.timeout || TaskDefaults.timeoutSeconds,
    multitasking: d?.multitasking ?? TaskDefaults.multitasking,
    taskVersion: task.version,
  })
}
