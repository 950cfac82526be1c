import { execFileSync } from 'node:child_process'
import { cpus, release, totalmem, type } from 'node:os'
import pg from 'pg'
import type { MachineInfo } from '../results/model.js'
import { findExecutable } from './executables.js'

function versionOf(binary: string | undefined, pattern: RegExp): string {
  if (binary === undefined) return 'not installed'
  try {
    const output = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 5_000 })
    return pattern.exec(output)?.[1] ?? output.trim()
  } catch (error) {
    return `unknown (${(error as Error).message.split('\n')[0]})`
  }
}

async function postgresVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version')
    return rows[0]?.server_version ?? 'unknown'
  } finally {
    await client.end()
  }
}

/** The machine and the versions of every server the run uses. */
export async function machineInfo(postgresUrl: string): Promise<MachineInfo> {
  const cores = cpus()
  return {
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${type()} ${release()}`,
    node: process.version,
    postgres: await postgresVersion(postgresUrl),
    natsServer: versionOf(findExecutable('nats-server', process.env.NATS_SERVER_BIN), /v?(\d+\.\d+\.\d+)/),
    redisServer: versionOf(findExecutable('redis-server'), /v=(\S+)/),
  }
}
