/**
 * InfluxDB Line Protocol, version 1 (text), as `@questdb/nodejs-client` writes it: the bytes of a
 * row are identical to those of the client's protocol-version-1 buffer for the same calls (a test
 * encodes randomized rows both ways and compares them). The client escapes one character at a time;
 * this encoder tests each value once for characters that need escaping, escapes only those values,
 * and writes a whole batch into one reusable buffer.
 *
 * Escaping, as the client does it: in table names, column names and symbol values a space, comma,
 * equals sign, backslash, newline or carriage return is preceded by a backslash; in string values
 * (between double quotes) a double quote, backslash, newline or carriage return is.
 */

/**
 * The calls a row is written with; `SenderBuffer` of `@questdb/nodejs-client` has them too, which
 * lets one row mapping drive both. Names are the schema's identifiers (not validated here). Every
 * row: `table`, symbols, then columns, then `at`.
 */
export interface IlpRowSink {
  table(name: string): void;
  symbol(name: string, value: string): void;
  stringColumn(name: string, value: string): void;
  floatColumn(name: string, value: number): void;
  intColumn(name: string, value: number): void;
  booleanColumn(name: string, value: boolean): void;
  /** A TIMESTAMP column, `valueUs` in epoch microseconds. */
  timestampColumn(name: string, valueUs: number, unit: 'us'): void;
  /** Ends the row with its designated timestamp, `timestampUs` in epoch microseconds (sent in ns). */
  at(timestampUs: number, unit: 'us'): void;
}

const UNQUOTED_SPECIAL = /[ ,=\n\r\\]/;
const UNQUOTED_SPECIAL_ALL = /[ ,=\n\r\\]/g;
const QUOTED_SPECIAL = /["\n\r\\]/;
const QUOTED_SPECIAL_ALL = /["\n\r\\]/g;

/** A table name, column name or symbol value, escaped for ILP. */
export function escapeUnquoted(value: string): string {
  return UNQUOTED_SPECIAL.test(value) ? value.replace(UNQUOTED_SPECIAL_ALL, '\\$&') : value;
}

/** A string column value, escaped for ILP (without the surrounding quotes). */
export function escapeQuoted(value: string): string {
  return QUOTED_SPECIAL.test(value) ? value.replace(QUOTED_SPECIAL_ALL, '\\$&') : value;
}

/**
 * An integer in decimal, as the client writes a BigInt of it: exact beyond 2^53, where
 * `Number#toString` would round; -0 as 0.
 */
function integerText(value: number): string {
  if (value === 0) return '0';
  return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
}

/** Bytes a buffer starts with; it doubles whenever a row needs more. */
const INITIAL_BYTES = 64 * 1024;
/** A buffer grown past this by one large batch is given back at the next reset. */
const RETAINED_BYTES = 4 * 1024 * 1024;
/** Names remembered escaped; the schema has far fewer, callers with made-up names stay bounded. */
const MAX_NAMES = 1024;
const COMMA = 0x2c;
const SPACE = 0x20;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const NEWLINE = 0x0a;
const ZERO = 0x30;

/**
 * Writes rows straight into one growing buffer: values are tested once for characters ILP escapes
 * (escaped only then), ASCII and safe integers are copied without an intermediate string, other
 * text with one UTF-8 write each. `toBuffer()` copies the completed rows out, so
 * an encoder may be `reset()` and reused for the next batch without touching bytes handed out.
 * Throws, like the client, on a value of the wrong type (a non-integer integer or timestamp, a
 * non-string string). A row left open (no `at`) is not part of the bytes.
 */
export class IlpEncoder implements IlpRowSink {
  private buffer: Buffer;
  private position = 0;
  /** End of the last completed row. */
  private completed = 0;
  private hasColumns = false;
  /** Escaped table and column names by name. */
  private readonly names = new Map<string, string>();

  constructor(initialBytes = INITIAL_BYTES) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  /** Forgets every row (completed or open); the buffer is kept unless one batch made it large. */
  reset(): void {
    if (this.buffer.length > RETAINED_BYTES) this.buffer = Buffer.allocUnsafe(INITIAL_BYTES);
    this.position = 0;
    this.completed = 0;
    this.hasColumns = false;
  }

  /** Room for `bytes` more from the current position. */
  private reserve(bytes: number): void {
    const needed = this.position + bytes;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.position);
    this.buffer = grown;
  }

  private byte(value: number): void {
    this.reserve(1);
    this.buffer[this.position++] = value;
  }

  /**
   * The UTF-8 bytes of `text` (a lone surrogate becomes U+FFFD, as in the client). ASCII is copied
   * code unit by code unit: for the short values of a row that is cheaper than a call into the
   * buffer's UTF-8 writer, which takes over from the first other character.
   */
  private text(text: string): void {
    const length = text.length;
    this.reserve(length * 3);
    const buffer = this.buffer;
    let position = this.position;
    for (let i = 0; i < length; i++) {
      const unit = text.charCodeAt(i);
      if (unit >= 0x80) {
        this.position = position + buffer.write(text.slice(i), position, 'utf8');
        return;
      }
      buffer[position++] = unit;
    }
    this.position = position;
  }

  /** A safe integer in decimal, as `String(value)` writes it (-0 as 0). */
  private safeInteger(value: number): void {
    this.reserve(17);
    const buffer = this.buffer;
    if (value < 0) {
      buffer[this.position++] = 0x2d;
      value = -value;
    }
    if (value < 10) {
      buffer[this.position++] = ZERO + value;
      return;
    }
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    let at = this.position + digits;
    this.position = at;
    while (value >= 10) {
      const next = Math.floor(value / 10);
      buffer[--at] = ZERO + (value - next * 10);
      value = next;
    }
    buffer[--at] = ZERO + value;
  }

  /** An integer as the client writes it: decimal, exact beyond 2^53 (see integerText). */
  private integer(value: number): void {
    if (Number.isSafeInteger(value)) this.safeInteger(value);
    else this.text(integerText(value));
  }

  private unquoted(value: string): void {
    this.text(escapeUnquoted(value));
  }

  /**
   * A table or column name: the schema's few identifiers, escaped once each (a value is tested
   * on every row, a name only the first time it is seen).
   */
  private name(name: string): void {
    let escaped = this.names.get(name);
    if (escaped === undefined) {
      escaped = escapeUnquoted(name);
      if (this.names.size < MAX_NAMES) this.names.set(name, escaped);
    }
    this.text(escaped);
  }

  table(name: string): void {
    this.position = this.completed;
    this.name(name);
    this.hasColumns = false;
  }

  symbol(name: string, value: string): void {
    if (typeof value !== 'string') throw new Error(`Symbol ${name} must be a string`);
    this.byte(COMMA);
    this.name(name);
    this.byte(EQUALS);
    this.unquoted(value);
  }

  private column(name: string): void {
    this.byte(this.hasColumns ? COMMA : SPACE);
    this.name(name);
    this.byte(EQUALS);
    this.hasColumns = true;
  }

  stringColumn(name: string, value: string): void {
    if (typeof value !== 'string') throw new Error(`Column ${name} must be a string`);
    this.column(name);
    this.byte(QUOTE);
    this.text(escapeQuoted(value));
    this.byte(QUOTE);
  }

  floatColumn(name: string, value: number): void {
    if (typeof value !== 'number') throw new Error(`Column ${name} must be a number`);
    this.column(name);
    if (Number.isSafeInteger(value)) this.safeInteger(value);
    else this.text(String(value));
  }

  intColumn(name: string, value: number): void {
    if (!Number.isInteger(value)) throw new Error(`Column ${name} must be an integer: ${value}`);
    this.column(name);
    if (Number.isSafeInteger(value)) this.safeInteger(value);
    else this.text(String(value));
    this.byte(0x69); // i
  }

  booleanColumn(name: string, value: boolean): void {
    this.column(name);
    this.byte(value ? 0x74 : 0x66); // t, f
  }

  timestampColumn(name: string, valueUs: number, _unit: 'us'): void {
    if (!Number.isInteger(valueUs))
      throw new Error(`Timestamp ${name} must be an integer: ${valueUs}`);
    this.column(name);
    this.integer(valueUs);
    this.byte(0x74); // t
  }

  at(timestampUs: number, _unit: 'us'): void {
    if (!Number.isInteger(timestampUs))
      throw new Error(`Designated timestamp must be an integer: ${timestampUs}`);
    this.byte(SPACE);
    if (timestampUs === 0) {
      this.byte(ZERO);
    } else {
      // Nanoseconds: the microseconds and three zeros (exact, where * 1000 would round).
      this.integer(timestampUs);
      this.reserve(3);
      this.buffer[this.position++] = ZERO;
      this.buffer[this.position++] = ZERO;
      this.buffer[this.position++] = ZERO;
    }
    this.byte(NEWLINE);
    this.completed = this.position;
  }

  /** Bytes of the completed rows so far. */
  get byteLength(): number {
    return this.completed;
  }

  /** A copy of the bytes of every completed row: the encoder may be reset and reused after it. */
  toBuffer(): Buffer {
    const out = Buffer.allocUnsafe(this.completed);
    this.buffer.copy(out, 0, 0, this.completed);
    return out;
  }
}
