import { Webhook } from 'standardwebhooks'
import type { ReceivedRequest } from './receiver.js'

/**
 * Verifies a received request with the Standard Webhooks reference library (its `webhook-id`,
 * `webhook-timestamp` and `webhook-signature` headers); throws when the signature does not match.
 * Shared with the end-to-end tests, which cannot resolve the library from the repository root.
 */
export function verifyStandardWebhook(
  secret: string,
  request: Pick<ReceivedRequest, 'body' | 'headers'>,
): unknown {
  return new Webhook(secret).verify(request.body, request.headers)
}
