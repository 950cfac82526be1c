// nats-auth-init: the NATS authentication of a deployment (see cli.ts, or run it without arguments).
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
