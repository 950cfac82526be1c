export * from './job-spec-from-task.js'
export * from './scheduler-service.js'
