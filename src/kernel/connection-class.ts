/**
 * The connection classes a node can declare: what kind of network it sits on. One definition, from which
 * the membership codec (its wire tag is the index here), the membership presets, the link models of the
 * simulator and the link shaper, the control API's schemas and the CLI's choices all derive.
 *
 * The order is part of the wire format: append new classes, never reorder.
 */
export const CONNECTION_CLASSES = Object.freeze(['lan', 'wan', 'mobile', 'hostile'] as const)

export type ConnectionClass = (typeof CONNECTION_CLASSES)[number]

export function isConnectionClass(value: string): value is ConnectionClass {
  return (CONNECTION_CLASSES as readonly string[]).includes(value)
}
