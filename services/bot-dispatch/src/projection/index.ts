export * from './bot-queries.js'
export * from './bots-projection.js'
export * from './bots-table.js'
export * from './revocations-projection.js'
