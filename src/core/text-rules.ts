/**
 * What text Gatehouse accepts from a request or an import, independent of any contract (issue 12):
 * used by the HTTP input boundary (http/input-boundary.ts) and the importer (import/canonical.ts).
 *
 * - Anywhere (every string and every object key, passwords included): no NUL (U+0000), which
 *   PostgreSQL cannot store, and no lone surrogate, which has no UTF-8 form (it would be stored
 *   as U+FFFD, so not the text that was sent).
 * - Single-line fields (the default: names, surname, account, email, company, timezone, ids,
 *   tokens, query parameters, ...): also no C0/C1 control character (U+0001–U+001F,
 *   U+007F–U+009F) and no bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069),
 *   which spoof names in emails and UIs.
 * - Multi-line fields, named in MULTI_LINE: passwords (hashed, never shown: any character but
 *   NUL, so a passphrase with a tab keeps working), free text (`bio`, `description`) and the
 *   admin API's project `settings` (templates, branding).
 *
 * Every other character of any script, combining marks, emoji and astral characters is kept
 * exactly as sent.
 */
export type TextFault = 'nul' | 'surrogate' | 'control' | 'bidi';

export type TextRule = 'single-line' | 'multi-line';

const MULTI_LINE_KEY = /pass(word)?|^(bio|description)$/i;
const MULTI_LINE_SUBTREE = new Set(['settings']);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's purpose
const CONTROL = /[\u0001-\u001F\u007F-\u009F]/;
const BIDI = /[\u202A-\u202E\u2066-\u2069]/;

export const FAULT_MESSAGES: Readonly<Record<TextFault, string>> = {
  nul: 'must not contain a NUL character',
  surrogate: 'must be valid Unicode text (no lone surrogate)',
  control: 'must not contain control characters',
  bidi: 'must not contain bidirectional override or isolate characters',
};

/** The rule of the field at `path` (object keys and array indexes from the request part's root). */
export function ruleAt(path: readonly string[]): TextRule {
  const last = path[path.length - 1] ?? '';
  if (MULTI_LINE_KEY.test(last)) return 'multi-line';
  return path.some((key) => MULTI_LINE_SUBTREE.has(key)) ? 'multi-line' : 'single-line';
}

/** The first thing wrong with `text` under `rule`, or undefined when it may be kept. */
export function textFault(text: string, rule: TextRule): TextFault | undefined {
  if (text.includes('\u0000')) return 'nul';
  if (LONE_SURROGATE.test(text)) return 'surrogate';
  if (rule === 'multi-line') return undefined;
  if (CONTROL.test(text)) return 'control';
  if (BIDI.test(text)) return 'bidi';
  return undefined;
}

export interface TextFinding {
  readonly path: readonly string[];
  readonly fault: TextFault;
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return true;
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  // Plain data only (the query parser's objects inherit from a null-prototype object): a stream
  // (streamed admin imports) or a contract's parse wrapper is not walked.
  return proto === Object.prototype || proto === null || Object.getPrototypeOf(proto) === null;
}

/** A path as a chain to its parent, so that walking a deep body copies nothing. */
interface PathLink {
  readonly key: string;
  readonly parent: PathLink | undefined;
}

function pathOf(link: PathLink): string[] {
  const keys: string[] = [];
  for (let at: PathLink | undefined = link; at !== undefined; at = at.parent) keys.push(at.key);
  return keys.reverse();
}

/**
 * The first string or key under `root` that breaks its rule, walked without recursion (a body
 * nested thousands of levels deep must not overflow the stack).
 */
export function findTextFault(root: unknown): TextFinding | undefined {
  if (typeof root === 'string') {
    const fault = textFault(root, 'single-line');
    return fault === undefined ? undefined : { path: [], fault };
  }
  const stack: Array<{ value: unknown; at: PathLink | undefined }> = [{ value: root, at: undefined }];
  while (stack.length > 0) {
    const { value, at } = stack.pop() as { value: unknown; at: PathLink | undefined };
    if (!isContainer(value)) continue;
    const entries: Array<[string, unknown]> = Array.isArray(value)
      ? value.map((item, index) => [String(index), item])
      : Object.entries(value);
    const nested: Array<{ value: unknown; at: PathLink }> = [];
    for (const [key, item] of entries) {
      const link: PathLink = { key, parent: at };
      const keyFault = textFault(key, 'multi-line');
      if (keyFault !== undefined) return { path: pathOf(link), fault: keyFault };
      if (typeof item === 'string') {
        const path = pathOf(link);
        const fault = textFault(item, ruleAt(path));
        if (fault !== undefined) return { path, fault };
      } else if (isContainer(item)) nested.push({ value: item, at: link });
    }
    // Reversed onto the stack, so the first nested field of the body is walked first.
    for (let i = nested.length - 1; i >= 0; i--) stack.push(nested[i] as { value: unknown; at: PathLink });
  }
  return undefined;
}
