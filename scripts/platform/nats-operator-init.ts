// Generates the NATS authentication of a deployment (docker compose, Kubernetes) into one directory:
//
//   node --conditions=source --import tsx scripts/platform/nats-operator-init.ts <dir> [service ...]
//
//   nats-operator.json                every key and seed: secret, it is what issues more users later
//   nats-server-auth.conf             operator mode for nats-server (`include` it; holds no secret)
//   nats-credentials/<service>.creds  one NATS user per service, its NATS_CREDS (default: every service)
//   bot-dispatch.env                  NATS_ACCOUNT and NATS_ACCOUNT_SIGNING_SEED, to issue bots their users
//
// Running it again keeps nats-operator.json (bots registered earlier keep working) and issues the
// service users anew.
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { natsOperatorConfig } from '@taskforge/testkit'
import {
  botIssuerEnvironment,
  ensureNatsOperator,
  natsAuthFiles,
  serviceCredentialsFile,
} from './nats-auth.js'
import { writeFileAtomic } from './state-files.js'

const SERVICES = ['gateway', 'task-catalog', 'job-scheduler', 'bot-dispatch', 'webhook-relay']

async function main(argv: string[]): Promise<void> {
  const [target, ...services] = argv
  if (target === undefined || target.startsWith('-')) {
    console.error('usage: nats-operator-init.ts <dir> [service ...]')
    process.exit(2)
  }
  const dir = resolve(target)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const setup = await ensureNatsOperator(dir, true)
  await writeFile(join(dir, 'nats-server-auth.conf'), natsOperatorConfig(setup), { mode: 0o644 })
  for (const service of services.length > 0 ? services : SERVICES) {
    const file = await serviceCredentialsFile(dir, setup, service)
    console.log(`${service}: ${file}`)
  }
  const env = Object.entries(botIssuerEnvironment(setup)).map(([key, value]) => `${key}=${value}\n`)
  await writeFileAtomic(join(dir, 'bot-dispatch.env'), env.join(''))
  console.log(`operator setup: ${natsAuthFiles(dir).operator} (secret)`)
  console.log(`nats-server: include ${join(dir, 'nats-server-auth.conf')}`)
  console.log(`bot-dispatch: ${join(dir, 'bot-dispatch.env')} (secret)`)
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
