import { Type, type TObject, type TSchema } from 'typebox';
import type { Rules } from './validation.ts';

/**
 * The OpenAPI description of a request body, derived from its Laravel rules, so each rule is
 * stated once. Laravel's validator (validation.ts) judges requests; this schema only documents
 * them (the scope's schema validator accepts everything).
 */
export function rulesSchema(rules: Rules, options: { title?: string; descriptions?: Readonly<Record<string, string>> } = {}): TObject {
  const properties: Record<string, TSchema> = {};
  for (const [field, text] of Object.entries(rules)) {
    if (field.includes('.')) continue;
    const names = text.split('|').map((rule) => rule.split(':', 1)[0] ?? '');
    const parameter = (name: string): number | undefined => {
      const found = text.split('|').find((rule) => rule.startsWith(`${name}:`));
      return found === undefined ? undefined : Number(found.slice(name.length + 1));
    };
    const description = options.descriptions?.[field];
    let schema: TSchema = fieldType(names, parameter, rules[`${field}.*`], description);
    if (names.includes('nullable')) schema = Type.Union([schema, Type.Null()]);
    properties[field] = names.includes('required') ? schema : Type.Optional(schema);
    if (names.includes('confirmed')) properties[`${field}_confirmation`] = fieldType(names, parameter, undefined, undefined);
  }
  return Type.Object(properties, options.title === undefined ? {} : { title: options.title });
}

function fieldType(
  names: readonly string[],
  parameter: (name: string) => number | undefined,
  items: string | undefined,
  description: string | undefined,
): TSchema {
  const extra = description === undefined ? {} : { description };
  if (names.includes('boolean')) return Type.Boolean(extra);
  if (names.includes('integer')) return Type.Integer(extra);
  if (names.includes('array')) return Type.Array(items?.includes('string') === true ? Type.String() : Type.Unknown(), extra);
  const min = parameter('min');
  const max = parameter('max');
  return Type.String({
    ...extra,
    ...(names.includes('email') && { format: 'email' }),
    ...(names.includes('date') && { format: 'date-time' }),
    ...(min !== undefined && { minLength: min }),
    ...(max !== undefined && { maxLength: max }),
  });
}
