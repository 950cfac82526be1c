import { posix } from 'node:path'
import type { ComposeFile, ComposeService, VolumeMount } from './compose-file.js'

/** How docker-compose.yml wires the NATS authentication, from the init service to the server. */
export interface ComposeNatsAuth {
  /** The one-shot service that writes the authentication. */
  init: ComposeService
  /** The named volume it writes into. */
  volume: string
  /** Where the init writes (its command's directory), on that volume. */
  initDir: string
  nats: ComposeService
  /** The file given to nats-server with -c. */
  configPath: string
  /** The repository file mounted there. */
  configSource: string
  /** Where the nats container sees the init's volume. */
  authDir: string
}

function service(compose: ComposeFile, name: string): ComposeService {
  const found = compose.services.get(name)
  if (found === undefined) throw new Error(`docker-compose.yml has no service ${name}`)
  return found
}

/** The argument of `-c` / `--config` in a nats-server command line. */
export function natsConfigArg(args: readonly string[]): string | undefined {
  for (const [i, arg] of args.entries()) {
    if (arg === '-c' || arg === '--config') return args[i + 1]
    const match = /^--config=(.+)$/.exec(arg)
    if (match !== null) return match[1]
  }
  return undefined
}

/** The mount that provides `path` in a container: the deepest one whose target holds it. */
export function mountHolding(volumes: readonly VolumeMount[], path: string): VolumeMount | undefined {
  return volumes
    .filter((volume) => path === volume.target || path.startsWith(`${volume.target}/`))
    .sort((a, b) => b.target.length - a.target.length)[0]
}

/** The files a nats-server configuration includes, as written. */
export function natsIncludes(config: string): string[] {
  return [...config.matchAll(/^\s*include\s+["']?([^"'\s;]+)["']?\s*;?\s*$/gm)].map((match) => match[1]!)
}

export function composeNatsAuth(compose: ComposeFile): ComposeNatsAuth {
  const init = service(compose, 'nats-auth-init')
  const initDir = init.command[0]
  if (initDir === undefined) throw new Error('nats-auth-init is given no directory')
  const written = mountHolding(init.volumes, initDir)
  if (written === undefined || written.readOnly) throw new Error(`nats-auth-init cannot write ${initDir}`)
  const nats = service(compose, 'nats')
  const configPath = natsConfigArg(nats.command)
  if (configPath === undefined) throw new Error('nats-server is started without -c')
  const config = mountHolding(nats.volumes, configPath)
  if (config === undefined || !config.source.startsWith('./')) {
    throw new Error(`${configPath} is not a file of the repository mounted into nats`)
  }
  const auth = nats.volumes.find((volume) => volume.source === written.source)
  if (auth === undefined) throw new Error(`nats does not mount the volume ${written.source}`)
  return {
    init,
    volume: written.source,
    initDir,
    nats,
    configPath,
    configSource: posix.join(config.source, posix.relative(config.target, configPath)),
    authDir: posix.join(auth.target, posix.relative(written.target, initDir)),
  }
}
