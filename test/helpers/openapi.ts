/**
 * Checks real responses against the OpenAPI document the API serves: the operation must be documented, the
 * status must be one of its responses, and the body must match that response's schema (JSON Schema 2020-12,
 * as OpenAPI 3.1 uses).
 */
import Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv';
import type { Response } from 'supertest';
import { buildOpenApiDocument } from '../../api/openapi';

type Doc = ReturnType<typeof buildOpenApiDocument>;
interface Operation {
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}

const doc: Doc = buildOpenApiDocument();
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema({ $id: 'openapi', components: doc.components ?? {} });

const templates = Object.keys(doc.paths ?? {}).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

const compiled = new Map<string, ValidateFunction>();

function validatorFor(key: string, schema: unknown): ValidateFunction {
  let v = compiled.get(key);
  if (!v) {
    // Component references point into the document registered above.
    const rewritten = JSON.parse(
      JSON.stringify(schema).replace(/"#\/components\//g, '"openapi#/components/'),
    ) as object;
    v = ajv.compile(rewritten);
    compiled.set(key, v);
  }
  return v;
}

/** Throws, naming what differs, when a response does not follow the document. */
export function expectConforms(res: Response): void {
  const req = res.request as unknown as { method: string; url: string };
  const method = req.method.toLowerCase();
  const path = new URL(req.url).pathname;
  const match = templates.find((t) => t.pattern.test(path));
  if (!match) throw new Error(`${method.toUpperCase()} ${path} is not in the OpenAPI document`);
  const op = (doc.paths?.[match.template] as Record<string, Operation | undefined>)[method];
  if (!op) throw new Error(`${method.toUpperCase()} ${match.template} is not in the OpenAPI document`);
  const response = op.responses[String(res.status)];
  if (!response) {
    throw new Error(
      `${method.toUpperCase()} ${match.template} answered ${res.status}, which the document does not list`,
    );
  }
  const type = String(res.headers['content-type'] ?? '').split(';')[0] ?? '';
  const content = response.content?.[type];
  if (!content) {
    if (response.content && Object.keys(response.content).length > 0) {
      throw new Error(`${method.toUpperCase()} ${match.template} ${res.status}: undocumented type ${type}`);
    }
    return;
  }
  const validate = validatorFor(`${method} ${match.template} ${res.status} ${type}`, content.schema);
  // supertest parses JSON into `body`; text (Prometheus, CSV) stays in `text`.
  const received = type.startsWith('text/') ? res.text : res.body;
  if (!validate(received)) {
    throw new Error(
      `${method.toUpperCase()} ${match.template} ${res.status} body does not match the document: ${ajv.errorsText(validate.errors)}`,
    );
  }
}

export const OPENAPI_DOCUMENT = doc;
