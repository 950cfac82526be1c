import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { credentialHash, parseGrpcAuth } from '@taskforge/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { grpcAuthFile, writeGrpcAuth } from './grpc-auth.js'

describe('writeGrpcAuth', () => {
  let dir = ''

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'grpc-auth-unit-'))
  })

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it("writes each service its own credential and every service's hash, readable by its owner only", async () => {
    const { auth, files } = await writeGrpcAuth(dir, ['gateway', 'task-catalog'])
    for (const service of ['gateway', 'task-catalog']) {
      const file = files[service]!
      expect(file).toBe(grpcAuthFile(dir, service))
      expect((await stat(file)).mode & 0o777).toBe(0o600)
      const read = parseGrpcAuth(await readFile(file, 'utf8'), file)
      expect(read).toEqual(auth[service])
      expect(read.peers).toEqual({
        gateway: [credentialHash(auth.gateway!.credential)],
        'task-catalog': [credentialHash(auth['task-catalog']!.credential)],
      })
    }
    expect(await readFile(files['task-catalog']!, 'utf8')).not.toContain(auth.gateway!.credential)
  })

  it('keeps the credentials it finds, so that running it again changes nothing', async () => {
    const first = await writeGrpcAuth(dir, ['gateway', 'task-catalog'])
    await rm(first.files.gateway!)
    const second = await writeGrpcAuth(dir, ['gateway', 'task-catalog'])
    expect(second.auth['task-catalog']!.credential).toBe(first.auth['task-catalog']!.credential)
    expect(second.auth.gateway!.credential).not.toBe(first.auth.gateway!.credential)
    expect(second.auth['task-catalog']!.peers.gateway).toEqual([
      credentialHash(second.auth.gateway!.credential),
    ])
  })

  it('refuses a damaged file rather than replacing a credential a running service presents', async () => {
    await writeGrpcAuth(dir, ['gateway'])
    await writeFile(grpcAuthFile(dir, 'gateway'), '{"service": "gateway"')
    await expect(writeGrpcAuth(dir, ['gateway'])).rejects.toThrow(/not JSON.*fix or delete it/)
  })
})
