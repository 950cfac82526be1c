import { readFileSync } from 'node:fs'
import {
  type Metadata,
  ResponderBuilder,
  ServerInterceptingCall,
  type ServerInterceptor,
  ServerListenerBuilder,
} from '@grpc/grpc-js'
import {
  AppError,
  ConfigError,
  credentialMatches,
  credentialService,
  ErrorKinds,
  type GrpcAuth,
  parseGrpcAuth,
  str,
} from '@taskforge/core'
import type { Logger } from '@taskforge/telemetry'
import { toErrorResponse } from './error-mapping.js'

/** The metadata key a service credential travels in, as `Bearer <credential>`. */
export const SERVICE_CREDENTIAL_KEY = 'authorization'

/** Where a service finds its gRPC identity (required: no service talks to another without one). */
export const grpcAuthSetting = str(
  'GRPC_AUTH_FILE',
  "Path of this service's gRPC identity (written by nats-auth-init, or npm start): the credential it presents to the other services, and the hashes of theirs",
)

/**
 * Reads a service's identity file at start, and checks that it is this service's: a service given
 * another's file would present itself under that name.
 */
export function readGrpcAuth(path: string, service: string): GrpcAuth {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(`GRPC_AUTH_FILE ${path} cannot be read: ${(error as Error).message}`)
  }
  const auth = parseGrpcAuth(text, `GRPC_AUTH_FILE ${path}`)
  if (auth.service !== service)
    throw new ConfigError(`GRPC_AUTH_FILE ${path} is the identity of ${auth.service}, not of ${service}`)
  return auth
}

/** Metadata value that presents `credential`. */
export function presentCredential(credential: string): string {
  return `Bearer ${credential}`
}

/** Who is calling, or why the call is refused. */
export type CallerCheck =
  | { readonly ok: true; readonly caller: string }
  | { readonly ok: false; readonly error: AppError; readonly caller?: string }

const refuse = (message: string, caller?: string): CallerCheck => ({
  ok: false,
  error: new AppError(ErrorKinds.SERVICE_UNAUTHENTICATED, message),
  ...(caller === undefined ? {} : { caller }),
})

/**
 * Checks the metadata value a call presented against the server's identity: the credential must be
 * one of a platform service's (UNAUTHENTICATED otherwise), and that service one of `callers`, the
 * services this server takes calls from (PERMISSION_DENIED otherwise).
 */
export function checkCaller(
  auth: GrpcAuth,
  callers: readonly string[],
  presented: string | undefined,
): CallerCheck {
  if (presented === undefined || presented === '') return refuse('no service credential')
  const match = /^Bearer (\S+)$/.exec(presented)
  const credential = match?.[1]
  const caller = credential === undefined ? undefined : credentialService(credential)
  if (credential === undefined || caller === undefined) return refuse('not a service credential')
  const hashes = auth.peers[caller]
  if (hashes === undefined || !credentialMatches(credential, hashes))
    return refuse(`not a valid credential of ${caller}`)
  if (!callers.includes(caller)) {
    return {
      ok: false,
      caller,
      error: new AppError(ErrorKinds.SERVICE_FORBIDDEN, `${auth.service} takes no calls from ${caller}`),
    }
  }
  return { ok: true, caller }
}

function presentedCredential(metadata: Metadata): string | undefined {
  const values = metadata.get(SERVICE_CREDENTIAL_KEY)
  // Two credentials on one call are refused rather than guessed between.
  if (values.length !== 1) return values.length === 0 ? undefined : ''
  return values[0]?.toString()
}

/**
 * A server interceptor that lets a call reach its handler only once its metadata presents the
 * credential of one of `callers`; any other call ends with UNAUTHENTICATED (no or a wrong credential)
 * or PERMISSION_DENIED (a service this server takes no calls from), before its message is read.
 */
export function serviceAuthInterceptor(
  auth: GrpcAuth,
  callers: readonly string[],
  logger?: Logger,
): ServerInterceptor {
  return (method, call) =>
    new ServerInterceptingCall(
      call,
      new ResponderBuilder()
        .withStart((next) => {
          next(
            new ServerListenerBuilder()
              .withOnReceiveMetadata((metadata, accept) => {
                const check = checkCaller(auth, callers, presentedCredential(metadata))
                if (check.ok) {
                  accept(metadata)
                  return
                }
                logger?.warn(
                  {
                    method: method.path,
                    peer: call.getPeer(),
                    caller: check.caller,
                    reason: check.error.message,
                  },
                  'gRPC call refused',
                )
                const { code, details, metadata: trailers } = toErrorResponse(check.error)
                call.sendStatus({ code, details, metadata: trailers })
              })
              .build(),
          )
        })
        .build(),
    )
}
