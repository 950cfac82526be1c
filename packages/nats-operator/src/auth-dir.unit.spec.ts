import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ensureNatsOperator, natsAuthFiles, PLATFORM_SERVICES, writeNatsAuth } from './auth-dir.js'
import { natsAuthInit } from './cli.js'
import { parseNatsOperatorSetup } from './operator.js'

function jwtClaims(creds: string): { iss: string; name: string; nats?: unknown } {
  const jwt = /-----BEGIN NATS USER JWT-----\n(.+)\n/.exec(creds)?.[1] ?? ''
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'))
}

describe('writeNatsAuth', () => {
  let dir = ''

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nats-auth-unit-'))
  })

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('writes the operator setup, the server configuration, a user per service and the bot issuer', async () => {
    const { setup, credentials } = await writeNatsAuth(dir)
    const files = natsAuthFiles(dir)
    expect(Object.keys(credentials)).toEqual([...PLATFORM_SERVICES])
    expect(parseNatsOperatorSetup(await readFile(files.operator, 'utf8'))).toEqual(setup)
    const config = await readFile(files.serverConfig, 'utf8')
    expect(config).toContain(`operator: "${setup.operator.jwt}"`)
    expect(config).not.toContain(setup.signingKey.seed)
    for (const [service, file] of Object.entries(credentials)) {
      expect(file).toBe(join(files.credentials, `${service}.creds`))
      const claims = jwtClaims(await readFile(file, 'utf8'))
      expect(claims).toMatchObject({ iss: setup.signingKey.publicKey, name: service })
      expect((await stat(file)).mode & 0o777).toBe(0o600)
    }
    const issuerEnv = Object.fromEntries(
      (await readFile(files.botIssuerEnv, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    )
    expect(issuerEnv).toMatchObject({
      NATS_ACCOUNT: setup.account.publicKey,
      NATS_ACCOUNT_SIGNING_SEED: setup.signingKey.seed,
      NATS_ACCOUNT_JWT: setup.account.jwt,
      NATS_OPERATOR_SIGNING_SEED: setup.operatorSigningKey.seed,
    })
    // The system user may push the platform account's claims and nothing else.
    expect(
      jwtClaims(`-----BEGIN NATS USER JWT-----\n${issuerEnv.NATS_SYSTEM_USER_JWT}\n------`),
    ).toMatchObject({
      iss: setup.systemAccount.publicKey,
      nats: { pub: { allow: [`$SYS.REQ.ACCOUNT.${setup.account.publicKey}.CLAIMS.UPDATE`] } },
    })
    expect(config).not.toContain(setup.operatorSigningKey.seed)
    expect((await stat(files.operator)).mode & 0o777).toBe(0o600)
    expect((await stat(files.botIssuerEnv)).mode & 0o777).toBe(0o600)
    expect((await stat(files.serverConfig)).mode & 0o777).toBe(0o644)
  })

  it('gives a setup saved before operator signing keys one, keeping the accounts', async () => {
    const { setup } = await writeNatsAuth(dir)
    const { operatorSigningKey: _key, ...old } = setup
    await writeFile(natsAuthFiles(dir).operator, JSON.stringify(old))
    const upgraded = await ensureNatsOperator(dir, true)
    expect(upgraded.account).toEqual(setup.account)
    expect(upgraded.signingKey).toEqual(setup.signingKey)
    expect(upgraded.operatorSigningKey.publicKey).toMatch(/^O/)
    expect(upgraded.operatorSigningKey).not.toEqual(setup.operatorSigningKey)
    expect(parseNatsOperatorSetup(await readFile(natsAuthFiles(dir).operator, 'utf8'))).toEqual(upgraded)
  })

  it('keeps the operator setup on a second run and issues the services new users', async () => {
    const first = await writeNatsAuth(dir, ['gateway'])
    const before = await readFile(first.credentials.gateway!, 'utf8')
    const second = await writeNatsAuth(dir, ['gateway'])
    expect(second.setup).toEqual(first.setup)
    const after = await readFile(second.credentials.gateway!, 'utf8')
    expect(after).not.toBe(before)
    expect(jwtClaims(after).iss).toBe(first.setup.signingKey.publicKey)
  })

  it('is the nats-auth-init program, which refuses to run without a directory', async () => {
    const lines: string[] = []
    expect(await natsAuthInit([dir, 'bot-dispatch'], (line) => lines.push(line))).toBe(0)
    expect(lines[0]).toBe(`bot-dispatch: ${join(natsAuthFiles(dir).credentials, 'bot-dispatch.creds')}`)
    const error = console.error
    console.error = () => undefined
    try {
      expect(await natsAuthInit([])).toBe(2)
      expect(await natsAuthInit(['--kubernetes-secrets'])).toBe(2)
    } finally {
      console.error = error
    }
  })
})
