export * from './assignment-carrier.js'
export * from './bot-consumer.js'
export * from './dispatch-message.js'
export * from './ensure-bot-consumers.js'
