// nats-auth-init: how a deployment's services authenticate, to NATS and to each other (see cli.ts, or run it without arguments).
import { natsAuthInit } from './cli.js'

natsAuthInit(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exitCode = 1
  },
)
