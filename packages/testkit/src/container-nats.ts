import { resolve } from 'node:path'
import type { NatsOptions, NatsServer } from './nats-server.js'

type Testcontainers = typeof import('testcontainers')

export async function startContainerNats(
  testcontainers: Testcontainers,
  options: NatsOptions,
): Promise<NatsServer> {
  const { GenericContainer, Wait } = testcontainers
  const command = ['-js', '-sd', '/data']
  let definition = new GenericContainer('nats:2.9')
    .withExposedPorts(4222)
    .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
  if (options.configText !== undefined) {
    definition = definition.withCopyContentToContainer([
      { content: options.configText, target: '/etc/nats/test.conf' },
    ])
    command.unshift('-c', '/etc/nats/test.conf')
  }
  if (options.dataDir !== undefined) {
    definition = definition.withBindMounts([
      { source: resolve(options.dataDir), target: '/data', mode: 'rw' },
    ])
  }
  const container = await definition.withCommand(command).start()
  const port = container.getMappedPort(4222)
  const unsupported = () =>
    Promise.reject(new Error('kill/restart/exited need a local nats-server, not a container'))
  let stopped = false
  return {
    url: `nats://${container.getHost()}:${port}`,
    port,
    source: 'container',
    async stop() {
      if (stopped) return
      stopped = true
      await container.stop()
    },
    kill: unsupported,
    restart: unsupported,
    exited: unsupported,
  }
}
