import { de } from './de.ts';
import { en, type MessageKey, type Messages } from './en.ts';

export type { MessageKey, Messages } from './en.ts';

/**
 * The languages of the hosted pages, by BCP 47 primary tag. Adding one is a file like de.ts
 * (typed `Messages`, so the compiler lists every missing text) and a line here.
 */
export const catalogues: Readonly<Record<string, Messages>> = { en, de };

export const DEFAULT_LOCALE = 'en';

export const LOCALES: readonly string[] = Object.keys(catalogues);

export type Translate = (key: MessageKey, params?: Readonly<Record<string, string | number>>) => string;

/** `t(key, params)` of one language: `{name}` placeholders filled from params, unknown ones left as they are. */
export function translator(locale: string): Translate {
  const messages = catalogues[locale] ?? en;
  return (key, params) => {
    const text = messages[key];
    if (params === undefined) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
  };
}

export function isMessageKey(value: string): value is MessageKey {
  return Object.hasOwn(en, value);
}
