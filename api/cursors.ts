import { APPLICATION_NUMBER_PATTERN } from '../domain/application';
import { AppError } from '../domain/errors';

/** A page's cursor when pages run in application-number order: the number, opaque to clients. */
export const encodeApplicationCursor = (applicationId: string): string =>
  Buffer.from(applicationId).toString('base64url');

/** A cursor from a previous page in application-number order; anything else is a 400, never a 500. */
export function decodeApplicationCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (APPLICATION_NUMBER_PATTERN.test(id)) return id;
  throw AppError.badRequest([
    { field: 'query.cursor', message: 'must be a cursor returned by a previous page' },
  ]);
}
