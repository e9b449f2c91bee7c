/** Helpers the format mappings share. */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Exports write null as an empty string: both mean "absent". */
export function blankToUndefined(value: unknown): unknown {
  return value === null || value === '' ? undefined : value;
}

/** A source row's own id: a UUID keeps the user id, an integer (or its digits) the user number. */
export function idsFromSourceId(id: unknown): { user?: unknown; number?: unknown } | undefined {
  if (id === undefined || id === null || id === '') return undefined;
  if (typeof id === 'number') return { number: id };
  if (typeof id === 'string' && /^\d+$/.test(id.trim())) return { number: Number(id.trim()) };
  return { user: id };
}
