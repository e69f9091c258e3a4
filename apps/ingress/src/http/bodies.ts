import { parseJsonLosslessly, type LosslessJsonValue } from '@finmesh/schemas';

/** The body kinds callbacks may use; anything else is refused with 415 before it is read. */
export const ACCEPTED_MEDIA_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'] as const;
export type AcceptedMediaType = (typeof ACCEPTED_MEDIA_TYPES)[number];

/** The most nesting a parsed body view may have; deeper JSON is still stored, just not parsed. */
const MAX_PARSED_DEPTH = 32;
const MAX_MULTIPART_PARTS = 1_000;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** `application/json; charset=utf-8` → `application/json`; undefined when not one we accept. */
export function mediaTypeOf(contentType: string | undefined): AcceptedMediaType | undefined {
  if (contentType === undefined) return undefined;
  const essence = contentType.split(';', 1)[0]?.trim().toLowerCase();
  return ACCEPTED_MEDIA_TYPES.find((type) => type === essence);
}

/** Thrown by the strict field readers; the message names the problem, never the content. */
export class BodyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BodyFormatError';
  }
}

export interface FormField {
  name: string;
  value: string;
}

/**
 * The fields of a form, multipart or flat JSON-object body, in order, as text. Strict: invalid
 * UTF-8, a malformed multipart body or a JSON value that is not a string or number throws
 * BodyFormatError. File parts of a multipart body are not fields.
 */
export function readFields(contentType: string | undefined, body: Buffer): FormField[] {
  const mediaType = mediaTypeOf(contentType);
  switch (mediaType) {
    case 'application/x-www-form-urlencoded':
      return [...new URLSearchParams(decodeUtf8(body)).entries()].map(([name, value]) => ({ name, value }));
    case 'multipart/form-data':
      return parseMultipart(contentType ?? '', body)
        .filter((part) => part.filename === undefined)
        .map((part) => ({ name: part.name, value: decodeUtf8(part.data) }));
    case 'application/json': {
      let parsed: LosslessJsonValue;
      try {
        parsed = parseJsonLosslessly(decodeUtf8(body));
      } catch (error: unknown) {
        throw new BodyFormatError(error instanceof Error ? error.message : 'the body is not valid JSON');
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new BodyFormatError('the JSON body is not an object');
      }
      return Object.entries(parsed).map(([name, value]) => {
        if (typeof value !== 'string') throw new BodyFormatError(`the JSON field ${JSON.stringify(name.slice(0, 64))} is not text`);
        return { name, value };
      });
    }
    case undefined:
      throw new BodyFormatError('the content type has no fields');
  }
}

/**
 * A parsed view of the body for the callback.received event (JSON with numbers as their exact
 * text; form and multipart fields as text, repeated names as arrays). Undefined when the body does
 * not parse, is too deeply nested, or is empty: the raw bytes are what counts, this is a courtesy.
 */
export function parsedBodyOf(contentType: string | undefined, body: Buffer): LosslessJsonValue | undefined {
  if (body.length === 0) return undefined;
  try {
    const mediaType = mediaTypeOf(contentType);
    switch (mediaType) {
      case 'application/json': {
        const parsed = parseJsonLosslessly(decodeUtf8(body));
        return isDeeperThan(parsed, MAX_PARSED_DEPTH) ? undefined : parsed;
      }
      case 'application/x-www-form-urlencoded':
      case 'multipart/form-data':
        return groupFields(readFields(contentType, body));
      case undefined:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

function groupFields(fields: readonly FormField[]): LosslessJsonValue {
  const grouped: { [name: string]: LosslessJsonValue } = {};
  for (const { name, value } of fields) {
    const existing = Object.prototype.hasOwnProperty.call(grouped, name) ? grouped[name] : undefined;
    const next: LosslessJsonValue =
      existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing as string, value];
    // defineProperty: a field named "__proto__" stays a field.
    Object.defineProperty(grouped, name, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return grouped;
}

/** Whether the value nests deeper than `limit` levels (a scalar is one level). */
function isDeeperThan(value: LosslessJsonValue, limit: number): boolean {
  if (limit < 1) return true;
  if (value === null || typeof value !== 'object') return false;
  const children = Array.isArray(value) ? value : Object.values(value);
  for (const child of children) if (isDeeperThan(child, limit - 1)) return true;
  return false;
}

function decodeUtf8(body: Buffer): string {
  try {
    return strictUtf8.decode(body);
  } catch {
    throw new BodyFormatError('the body is not valid UTF-8');
  }
}

interface MultipartPart {
  name: string;
  filename: string | undefined;
  data: Buffer;
}

/** The boundary parameter of a multipart content type (RFC 2046: 1 to 70 characters). */
function boundaryOf(contentType: string): string {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^;\s"]{1,70}))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (boundary === undefined) throw new BodyFormatError('the multipart content type has no valid boundary');
  return boundary;
}

/** A strict multipart/form-data reader (RFC 7578) for the small bodies callbacks carry. */
function parseMultipart(contentType: string, body: Buffer): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundaryOf(contentType)}`);
  const parts: MultipartPart[] = [];
  let position = body.indexOf(delimiter);
  if (position === -1) throw new BodyFormatError('the multipart body has no boundary line');
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString('latin1') === '--') return parts;
    if (body.subarray(position, position + 2).toString('latin1') !== '\r\n') {
      throw new BodyFormatError('a multipart boundary line is malformed');
    }
    position += 2;
    const headerEnd = body.indexOf('\r\n\r\n', position);
    if (headerEnd === -1) throw new BodyFormatError('a multipart part has no end of headers');
    const headers = body.subarray(position, headerEnd).toString('latin1');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next === -1) throw new BodyFormatError('a multipart part is not closed');
    const disposition = /^content-disposition:\s*form-data\s*;(.*)$/im.exec(headers)?.[1];
    const name = disposition === undefined ? undefined : /(?:^|;)\s*name="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) throw new BodyFormatError('a multipart part has no form-data name');
    const filename = disposition === undefined ? undefined : /(?:^|;)\s*filename="([^"]*)"/i.exec(disposition)?.[1];
    parts.push({ name, filename, data: body.subarray(headerEnd + 4, next) });
    if (parts.length > MAX_MULTIPART_PARTS) throw new BodyFormatError('the multipart body has too many parts');
    position = next + 2;
  }
}
