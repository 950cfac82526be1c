import { resolve } from 'node:path'
import { natsAuthFiles, PLATFORM_SERVICES, writeNatsAuth } from './auth-dir.js'
import { writeGrpcAuth } from './grpc-auth.js'
import { KubernetesSecrets, natsAuthSecretNames, writeNatsAuthSecrets } from './kubernetes-secrets.js'

export const NATS_AUTH_INIT_USAGE = `usage: nats-auth-init <dir> [service ...]
       nats-auth-init --kubernetes-secrets <prefix> [service ...]

Writes how the services of a deployment authenticate: to NATS (operator mode) and to each other
(gRPC). Into <dir>:
  nats-operator.json                the operator setup: secret, kept on later runs
  nats-server-auth.conf             for nats-server to include: JWTs only, no secret
  nats-credentials/<service>.creds  each service's user (its NATS_CREDS)
  bot-dispatch.env                  NATS_ACCOUNT and NATS_ACCOUNT_SIGNING_SEED (secret)
  grpc-auth/<service>.json          each service's gRPC identity (its GRPC_AUTH_FILE, secret),
                                    kept on later runs
or, in a Kubernetes pod, into the Secrets <prefix>-nats-operator (created once) and
<prefix>-nats-auth (replaced, keeping the gRPC identities). Services default to
${PLATFORM_SERVICES.join(', ')}.`

/** The program: answers its exit code. */
export async function natsAuthInit(argv: readonly string[], log = console.log): Promise<number> {
  const [first, ...rest] = argv
  if (first === '--kubernetes-secrets') {
    const [prefix, ...services] = rest
    if (prefix === undefined || prefix === '' || prefix.startsWith('-')) {
      console.error(NATS_AUTH_INIT_USAGE)
      return 2
    }
    const names = natsAuthSecretNames(prefix)
    const { createdOperator } = await writeNatsAuthSecrets(
      await KubernetesSecrets.inCluster(),
      prefix,
      services.length > 0 ? services : PLATFORM_SERVICES,
    )
    log(`operator setup: Secret ${names.operator} (${createdOperator ? 'created' : 'kept'})`)
    log(`server configuration, service credentials, bot issuer, gRPC identities: Secret ${names.auth}`)
    return 0
  }
  if (first === undefined || first.startsWith('-')) {
    console.error(NATS_AUTH_INIT_USAGE)
    return 2
  }
  const dir = resolve(first)
  const services = rest.length > 0 ? rest : PLATFORM_SERVICES
  const { credentials } = await writeNatsAuth(dir, services)
  const grpc = await writeGrpcAuth(dir, services)
  const files = natsAuthFiles(dir)
  for (const [service, file] of Object.entries(credentials)) log(`${service}: ${file}`)
  for (const [service, file] of Object.entries(grpc.files)) log(`${service}: ${file} (secret)`)
  log(`operator setup: ${files.operator} (secret)`)
  log(`nats-server: include ${files.serverConfig}`)
  log(`bot-dispatch: ${files.botIssuerEnv} (secret)`)
  return 0
}
