export * from './job-command-handler.js'
