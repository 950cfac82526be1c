export {
  createTaskforge,
  customerOf,
  type Job,
  type Task,
  type Taskforge,
  type TaskforgeOptions,
} from './client.js'
export { isTaskforgeError, TaskforgeError } from './errors.js'
export type { components, operations, paths } from './gen/api.js'
export {
  type FollowOptions,
  followLog,
  hasEnded,
  type RunOptions,
  runAndWait,
  runTask,
  type WaitOptions,
  waitForJob,
} from './jobs.js'
