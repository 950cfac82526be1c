export * from './job-decider.js'
export * from './job-events.js'
export * from './job-placement.js'
export * from './task-arguments.js'
