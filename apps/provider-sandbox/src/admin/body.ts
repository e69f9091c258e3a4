import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { describeIssues } from '../http/json';
import { bodyText } from '../http/raw-body';
import { adminError } from './errors';

/**
 * Parses an admin request body with a schema; on failure answers 400 and returns undefined.
 * Admin bodies are plain JSON (numbers as doubles are fine: they are milliseconds and
 * probabilities, never money).
 */
export function adminBody<T extends z.ZodType>(
  schema: T,
  request: FastifyRequest,
  reply: FastifyReply,
): z.output<T> | undefined {
  const text = bodyText(request);
  let value: unknown = {};
  if (text.trim() !== '') {
    try {
      value = JSON.parse(text);
    } catch {
      adminError(reply, 'bad_request', 'the body is not valid JSON');
      return undefined;
    }
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    adminError(reply, 'bad_request', describeIssues(result.error));
    return undefined;
  }
  return result.data;
}
