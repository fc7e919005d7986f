/**
 * Registers custom search attributes (the application workflow's: workflows/search-attributes.ts, passed in
 * by the process that registers them) in a namespace. Idempotent: what is already
 * there is left alone, so the start command, the worker and the tests can all call it; an attribute that
 * exists with another type is a configuration error worth stopping for.
 */
import type { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { GrpcStatus, grpcCode } from './errors';

/** What both the client's and the worker's connections offer. */
type WithOperatorService = Pick<Connection, 'operatorService'>;

const { IndexedValueType } = temporal.api.enums.v1;
const INDEXED_VALUE_TYPE: Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
  TEXT: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** A search attribute's definition (`defineSearchAttributeKey`). */
interface AttributeKey {
  name: string;
  type: SearchAttributeType;
}

export class SearchAttributeConflict extends Error {}

/** Returns the names it added. */
export async function registerSearchAttributes(
  connection: WithOperatorService,
  namespace: string,
  keys: readonly AttributeKey[],
): Promise<string[]> {
  let known: Record<string, temporal.api.enums.v1.IndexedValueType>;
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    known = { ...existing.systemAttributes, ...existing.customAttributes };
  } catch (err) {
    // The Java time-skipping test server can add search attributes but not list them: add one at a time,
    // each either new or already there.
    if (grpcCode(err) !== GrpcStatus.UNIMPLEMENTED) throw err;
    return addOneByOne(connection, namespace, keys);
  }
  const missing: Record<string, number> = {};
  for (const key of keys) {
    const wanted = INDEXED_VALUE_TYPE[key.type];
    const found = known[key.name];
    if (found === undefined) missing[key.name] = wanted;
    else if (found !== wanted) {
      throw new SearchAttributeConflict(
        `search attribute ${key.name} exists in namespace ${namespace} with another type (${IndexedValueType[found]}); it must be ${key.type}`,
      );
    }
  }
  const names = Object.keys(missing);
  if (names.length > 0) {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  }
  return names;
}

async function addOneByOne(
  connection: WithOperatorService,
  namespace: string,
  keys: readonly AttributeKey[],
): Promise<string[]> {
  const added: string[] = [];
  for (const key of keys) {
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: { [key.name]: INDEXED_VALUE_TYPE[key.type] },
      });
      added.push(key.name);
    } catch (err) {
      if (grpcCode(err) !== GrpcStatus.ALREADY_EXISTS) throw err;
    }
  }
  return added;
}
