export * from './bot-dispatch-service.js'
export * from './to-proto-bot.js'
