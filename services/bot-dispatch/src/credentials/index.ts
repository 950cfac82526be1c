export * from './account-revocations.js'
export * from './bot-credential-issuer.js'
export * from './bot-permissions.js'
export * from './credential-settings.js'
