/**
 * Both sides of one reconciliation run in one process, message by message: what the property tests and
 * `bench/reconciliation.ts` measure. Each message is checked against the byte budget on the way.
 */
import type { RbsrConfig } from './config.ts'
import type { ItemIndex } from './item-index.ts'
import { Reconciler } from './rbsr.ts'

export interface LocalReconciliation {
  readonly initiator: Reconciler
  readonly responder: Reconciler
  /** Bytes of each message in order, the initiator's first. */
  readonly messageBytes: readonly number[]
  readonly roundTrips: number
  /** Whether both sides finished within `maxMessages`. */
  readonly completed: boolean
}

export function reconcileLocally(
  initiatorItems: ItemIndex,
  responderItems: ItemIndex,
  config: RbsrConfig,
  salt: number,
  maxMessages = 64,
): LocalReconciliation {
  const initiator = new Reconciler(initiatorItems, config, salt)
  const responder = new Reconciler(responderItems, config)
  const messageBytes: number[] = []
  let message: Uint8Array | undefined = initiator.initiate()
  let receiver = responder
  let completed = false
  while (message !== undefined && messageBytes.length < maxMessages) {
    messageBytes.push(message.length)
    const step = receiver.reconcile(message)
    if (!step.ok) throw new Error(`reconciliation refused a message of its own peer: ${step.error}`)
    message = step.value.reply
    if (message === undefined) completed = true
    receiver = receiver === responder ? initiator : responder
  }
  return { initiator, responder, messageBytes, roundTrips: Math.ceil(messageBytes.length / 2), completed }
}
