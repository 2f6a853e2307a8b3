/**
 * Where the cursor is in an experiment file, in JSON terms: the field path,
 * and for a string value the span of its content. Pure text in, offsets out.
 */
import { getLocation, parse, type ParseError } from "jsonc-parser";
import type { JsonPath } from "../../core/config/fieldInfo";

export interface StringAtCursor {
  path: JsonPath;
  /** Offsets of the string's content (inside the quotes). */
  contentStart: number;
  contentEnd: number;
  /** The content from its start to the cursor. */
  typed: string;
}

/** The string value the cursor is inside (not a property key), or undefined. */
export function stringAtCursor(text: string, offset: number): StringAtCursor | undefined {
  const loc = getLocation(text, offset);
  const node = loc.previousNode;
  if (loc.isAtPropertyKey || !node || node.type !== "string") return undefined;
  const contentStart = node.offset + 1;
  // An unterminated string (a quote typed without its pair) runs to where the scanner stopped.
  const closed = node.length >= 2 && text[node.offset + node.length - 1] === '"';
  const contentEnd = node.offset + node.length - (closed ? 1 : 0);
  if (offset < contentStart || offset > contentEnd) return undefined;
  return { path: loc.path, contentStart, contentEnd, typed: text.slice(contentStart, offset) };
}

/** The key or value under the cursor: its field path and character span; undefined between fields. */
export function fieldAtCursor(text: string, offset: number): { path: JsonPath; offset: number; length: number } | undefined {
  const loc = getLocation(text, offset);
  const node = loc.previousNode;
  if (!node || loc.path.length === 0 || offset < node.offset || offset > node.offset + node.length) return undefined;
  return { path: loc.path, offset: node.offset, length: node.length };
}

/** The file's value as far as it parses: a file being typed is rarely valid JSON, and what parses still tells the method and format. */
export function parseLoosely(text: string): unknown {
  const errors: ParseError[] = [];
  return parse(text, errors, { allowTrailingComma: true, disallowComments: false });
}
