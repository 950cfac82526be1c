export * from './job-leases.js'
export * from './job-schedule-table.js'
export * from './schedule-effects.js'
export * from './task-queue.js'
