/**
 * InfluxDB Line Protocol, version 1 (text), as `@questdb/nodejs-client` writes it: the bytes of a
 * row are identical to those of the client's protocol-version-1 buffer for the same calls (a test
 * encodes randomized rows both ways and compares them). The client escapes one character at a time;
 * this encoder tests each value once for characters that need escaping, escapes only those values,
 * and turns a whole batch into bytes with one `Buffer.from`.
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

/**
 * Builds the text of a batch of rows; `toBuffer()` returns its UTF-8 bytes. Throws, like the
 * client, on a value of the wrong type (a non-integer integer or timestamp, a non-string string).
 * A row left open (no `at`) is not part of the bytes.
 */
export class IlpTextEncoder implements IlpRowSink {
  private text = '';
  private row = '';
  private hasColumns = false;

  table(name: string): void {
    this.row = escapeUnquoted(name);
    this.hasColumns = false;
  }

  symbol(name: string, value: string): void {
    if (typeof value !== 'string') throw new Error(`Symbol ${name} must be a string`);
    this.row += `,${escapeUnquoted(name)}=${escapeUnquoted(value)}`;
  }

  private column(name: string, valueText: string): void {
    this.row += `${this.hasColumns ? ',' : ' '}${escapeUnquoted(name)}=${valueText}`;
    this.hasColumns = true;
  }

  stringColumn(name: string, value: string): void {
    if (typeof value !== 'string') throw new Error(`Column ${name} must be a string`);
    this.column(name, `"${escapeQuoted(value)}"`);
  }

  floatColumn(name: string, value: number): void {
    if (typeof value !== 'number') throw new Error(`Column ${name} must be a number`);
    this.column(name, String(value));
  }

  intColumn(name: string, value: number): void {
    if (!Number.isInteger(value)) throw new Error(`Column ${name} must be an integer: ${value}`);
    this.column(name, `${String(value)}i`);
  }

  booleanColumn(name: string, value: boolean): void {
    this.column(name, value ? 't' : 'f');
  }

  timestampColumn(name: string, valueUs: number, _unit: 'us'): void {
    if (!Number.isInteger(valueUs))
      throw new Error(`Timestamp ${name} must be an integer: ${valueUs}`);
    this.column(name, `${integerText(valueUs)}t`);
  }

  at(timestampUs: number, _unit: 'us'): void {
    if (!Number.isInteger(timestampUs))
      throw new Error(`Designated timestamp must be an integer: ${timestampUs}`);
    const nanos = timestampUs === 0 ? '0' : `${integerText(timestampUs)}000`;
    this.text += `${this.row} ${nanos}\n`;
    this.row = '';
  }

  /** The UTF-8 bytes of every completed row (a lone surrogate becomes U+FFFD, as in the client). */
  toBuffer(): Buffer {
    return Buffer.from(this.text, 'utf8');
  }
}
