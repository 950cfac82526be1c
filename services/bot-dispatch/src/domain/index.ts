export * from './bot-decider.js'
export * from './bot-events.js'
export * from './bot-owners.js'
export * from './secret-hash.js'
