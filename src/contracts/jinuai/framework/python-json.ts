/**
 * FastAPI answers an unparsable JSON body with Python's `json.JSONDecodeError` message and
 * position. JavaScript's parser words its errors differently, so after `JSON.parse` has failed
 * this scanner walks the text the way CPython's `json` scanner does and reports the first
 * error it would raise: `{ msg: "Expecting value", pos: 0 }`, etc. Positions count code
 * points, as Python's do.
 */
export interface JsonDecodeFailure {
  readonly msg: string;
  readonly pos: number;
}

class Stop {
  constructor(readonly pos: number) {}
}

class Failure {
  constructor(
    readonly msg: string,
    readonly pos: number,
  ) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
const ESCAPES = '"\\/bfnrt';

/** Undefined when the nesting is too deep to scan (Python gives up too: a plain 400). */
export function pythonJsonError(text: string): JsonDecodeFailure | undefined {
  const length = text.length;
  const skip = (index: number): number => {
    let i = index;
    while (i < length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i += 1;
    return i;
  };

  const string = (quote: number): number => {
    let i = quote + 1;
    for (;;) {
      while (i < length && text[i] !== '"' && text[i] !== '\\') {
        if (text.charCodeAt(i) <= 0x1f) throw new Failure('Invalid control character at', i);
        i += 1;
      }
      if (i >= length) throw new Failure('Unterminated string starting at', quote);
      if (text[i] === '"') return i + 1;
      i += 1;
      if (i >= length) throw new Failure('Unterminated string starting at', quote);
      if (text[i] !== 'u') {
        if (!ESCAPES.includes(text[i] ?? '')) throw new Failure('Invalid \\escape', i - 1);
        i += 1;
      } else {
        if (i + 5 >= length || !/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) throw new Failure('Invalid \\uXXXX escape', i);
        i += 5;
      }
    }
  };

  const object = (open: number): number => {
    let i = skip(open + 1);
    if (text[i] === '}') return i + 1;
    while (i < length) {
      if (text[i] !== '"') throw new Failure('Expecting property name enclosed in double quotes', i);
      i = skip(string(i));
      if (text[i] !== ':') throw new Failure("Expecting ':' delimiter", i);
      i = skip(value(skip(i + 1)));
      if (text[i] === '}') return i + 1;
      if (text[i] !== ',') throw new Failure("Expecting ',' delimiter", i);
      i = skip(i + 1);
    }
    throw new Failure('Expecting property name enclosed in double quotes', i);
  };

  const array = (open: number): number => {
    let i = skip(open + 1);
    if (text[i] === ']') return i + 1;
    while (i < length) {
      i = skip(value(i));
      if (text[i] === ']') return i + 1;
      if (text[i] !== ',') throw new Failure("Expecting ',' delimiter", i);
      i = skip(i + 1);
    }
    throw new Failure('Expecting value', i);
  };

  const value = (i: number): number => {
    switch (text[i]) {
      case '"':
        return string(i);
      case '{':
        return object(i);
      case '[':
        return array(i);
      default:
        for (const literal of ['null', 'true', 'false']) {
          if (text.startsWith(literal, i)) return i + literal.length;
        }
        NUMBER.lastIndex = i;
        if (NUMBER.exec(text) !== null) return NUMBER.lastIndex;
        throw new Stop(i);
    }
  };

  const codePoints = (index: number): number => [...text.slice(0, index)].length;
  try {
    const end = skip(value(skip(0)));
    // JSON.parse refused something this scanner accepts: report the start rather than nothing.
    return end === length ? { msg: 'Expecting value', pos: 0 } : { msg: 'Extra data', pos: codePoints(end) };
  } catch (error) {
    if (error instanceof Stop) return { msg: 'Expecting value', pos: codePoints(error.pos) };
    if (error instanceof Failure) return { msg: error.msg, pos: codePoints(error.pos) };
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}
