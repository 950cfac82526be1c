import type { ChannelOptions } from '@grpc/grpc-js'
import { Transport } from '@taskforge/core'

/**
 * Largest message either side accepts or sends, the same on every client and server: a request holds
 * at most one input at its limits (`Limits` in core), far below it; answers listing objects use the rest.
 */
export const MAX_MESSAGE_BYTES = Transport.grpcMaxMessage

/**
 * Client channel options: keepalive pings keep idle connections through proxies and NAT alive and
 * detect dead peers; reconnect backoff stays short so a restarted service is found again quickly.
 * Channelz is off on both sides: nothing serves it, and it keeps call counters and timestamps on
 * every call.
 */
export const clientChannelOptions: ChannelOptions = {
  'grpc.enable_channelz': 0,
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': 5_000,
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
}

/** Server options matching {@link clientChannelOptions}. */
export const serverChannelOptions: ChannelOptions = {
  'grpc.enable_channelz': 0,
  'grpc.keepalive_time_ms': 60_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
}
