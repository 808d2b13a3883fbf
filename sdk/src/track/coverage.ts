import { FIELD_NAME_PATTERN, LIMITS } from '@scrapewatch/protocol';

/** Filled counts per field name: the wire format of a scrape's `fields`. */
export type FieldCounts = Record<string, number>;

const FIELD_NAME = new RegExp(FIELD_NAME_PATTERN, 'u');

/** A field is filled when its value is not null/undefined, not an empty string, not an empty array. */
export function isFilled(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return false;
  return !(Array.isArray(value) && value.length === 0);
}

/** Whether an item key can be reported as a field (the collector refuses the others). */
function isReportable(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= LIMITS.maxFieldNameLength &&
    name !== '__proto__' &&
    name !== 'constructor' &&
    name !== 'prototype' &&
    FIELD_NAME.test(name)
  );
}

/**
 * Field coverage of extracted items: for each field, on how many items it is filled.
 *
 * With `fields`, exactly those are counted: a field no item carries any more (the layout changed
 * and the selector returns nothing) is reported as 0, which is what a fill-rate alert needs.
 * Without, the fields are the own keys seen on the items, in first-seen order, up to the
 * protocol's field limit; keys that cannot be field names (control characters, too long) are
 * left out. Items that are not objects count as items with no field filled.
 *
 * Values are read in a `for...in` over each item, which V8 serves from the shape's enumeration
 * cache; the field of the k-th key is remembered per position, so items sharing a shape (nearly
 * always, within one scrape) cost a string comparison per key, not a lookup: reading `item[name]`
 * for ever-changing names instead is a slow, generic property lookup. Own enumerable keys only
 * (inherited ones are skipped).
 */
export function fieldCoverage(items: readonly unknown[], fields?: readonly string[]): FieldCounts {
  const discover = fields === undefined;
  const slotOf = new Map<string, number>();
  const names: string[] = [];
  for (const field of fields ?? []) {
    if (!slotOf.has(field)) {
      slotOf.set(field, names.length);
      names.push(field);
    }
  }
  const counts = new Array<number>(names.length).fill(0);
  const resolve = (key: string): number => {
    const slot = slotOf.get(key);
    if (slot !== undefined) return slot;
    if (!discover || names.length >= LIMITS.maxFields || !isReportable(key)) return -1;
    slotOf.set(key, names.length);
    names.push(key);
    counts.push(0);
    return names.length - 1;
  };
  // The key seen at each position of the previous items, and its field's slot (-1: not counted).
  const keyAt: string[] = [];
  const slotAt: number[] = [];
  for (let i = 0; i < items.length; i += 1) {
    const item = items[i];
    if (typeof item !== 'object' || item === null || Array.isArray(item)) continue;
    const record = item as Record<string, unknown>;
    let position = 0;
    for (const key in record) {
      let slot: number;
      if (keyAt[position] === key) {
        slot = slotAt[position]!;
      } else {
        slot = Object.hasOwn(record, key) ? resolve(key) : -1;
        keyAt[position] = key;
        slotAt[position] = slot;
      }
      if (slot >= 0 && isFilled(record[key])) counts[slot]! += 1;
      position += 1;
    }
  }
  // No prototype: a field called `__proto__` stays a plain key (and is refused by validation).
  const result = Object.create(null) as FieldCounts;
  for (let k = 0; k < names.length; k += 1) result[names[k]!] = counts[k]!;
  return result;
}
