export * from './bot-deletions.js'
