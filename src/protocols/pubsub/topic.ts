/**
 * Topic names. A topic names a kind of fact (`tasks/done`, `capacity`), so the rules are those of a
 * label: not empty, at most `maxTopicBytes` of UTF-8, no control characters (they would pass into logs
 * and the event stream as they are) and no lone surrogates (they have no UTF-8 form, so a topic holding
 * one would not arrive as it was sent). A local bad topic is a `MeshError`; a remote one is counted.
 */
import { MeshError } from '../../kernel/index.ts'

export type TopicProblem = 'empty' | 'too-long' | 'control-character' | 'lone-surrogate'

const UTF8 = new TextEncoder()

/** What is wrong with `topic`, or undefined when it is a valid name. */
export function topicProblem(topic: string, maxTopicBytes: number): TopicProblem | undefined {
  if (topic.length === 0) return 'empty'
  for (let i = 0; i < topic.length; i++) {
    const unit = topic.charCodeAt(i)
    if (unit < 0x20 || unit === 0x7f || (unit >= 0x80 && unit <= 0x9f)) return 'control-character'
  }
  if (!topic.isWellFormed()) return 'lone-surrogate'
  // each UTF-16 unit is at most 3 bytes of UTF-8: short topics need no encoding to be measured
  if (topic.length * 3 > maxTopicBytes && UTF8.encode(topic).length > maxTopicBytes) return 'too-long'
  return undefined
}

const EXPLAINED: Record<TopicProblem, string> = {
  empty: 'is empty',
  'too-long': 'is too long',
  'control-character': 'holds a control character',
  'lone-surrogate': 'holds a lone surrogate (no UTF-8 form)',
}

/** Throws a `MeshError` naming what is wrong with a topic given by the local application. */
export function checkTopic(topic: string, maxTopicBytes: number): void {
  const problem = topicProblem(topic, maxTopicBytes)
  if (problem === undefined) return
  throw new MeshError(
    'INVALID_ARGUMENT',
    `the topic ${JSON.stringify(topic.slice(0, 64))} ${EXPLAINED[problem]}: a topic is 1 to ${maxTopicBytes} bytes of UTF-8 without control characters`,
    { topic: topic.slice(0, 64), problem, maxTopicBytes },
  )
}
