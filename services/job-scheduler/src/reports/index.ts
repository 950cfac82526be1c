export * from './report-command.js'
export * from './reports-consumer.js'
