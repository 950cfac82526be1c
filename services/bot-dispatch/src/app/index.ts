export * from './bot-lifecycle.js'
export * from './bot-name-claims.js'
export * from './bot-registration.js'
