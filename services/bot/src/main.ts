import { fileURLToPath } from 'node:url'
import { createLogger, initTelemetry } from '@taskforge/telemetry'
import { BotAgent } from './agent.js'
import { defaultWorkDir, parseBotOptions, USAGE, UsageError } from './cli-options.js'
import { CredentialsError, loadCredentials } from './credentials.js'

async function main(argv: readonly string[]): Promise<void> {
  const options = parseBotOptions(argv)
  const credentials = await loadCredentials(options.credentialsFile)
  const telemetry = initTelemetry({ serviceName: 'bot' })
  const logger = createLogger('bot', { botId: credentials.botId })
  const agent = await BotAgent.start({
    credentials,
    concurrency: options.concurrency,
    workDir: options.workDir ?? defaultWorkDir(credentials.botId),
    killGraceMs: options.killGraceMs,
    shutdownTimeoutMs: options.shutdownTimeoutMs,
    outputLimitBytes: options.outputLimitBytes,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    logger,
  })
  let signals = 0
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting at once')
      process.exit(130)
    }
    logger.info({ signal }, 'stopping')
    agent
      .stop()
      .then(() => telemetry.shutdown())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'unclean stop')
          process.exit(1)
        },
      )
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`)
      process.exit(2)
    }
    if (error instanceof CredentialsError) {
      console.error(error.message)
      process.exit(2)
    }
    console.error(error)
    process.exit(1)
  })
}
