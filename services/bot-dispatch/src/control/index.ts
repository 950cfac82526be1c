export * from './cancel-carrier.js'
export * from './control-channel.js'
export * from './control-message.js'
