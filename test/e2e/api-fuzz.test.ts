/**
 * Property: whatever is thrown at any endpoint of the API (random JSON, malformed bodies, odd query
 * strings, bad ids, bad or missing tokens), the answer is never a 500 and every error is problem+json;
 * and a refused request writes nothing (no application, household claim, unfinished intake or assessment
 * note is left behind: only the requests that were accepted account for the rows there are afterwards).
 * The endpoints come from the OpenAPI document, so a new endpoint is fuzzed without touching this file.
 */
import fc from 'fast-check';
import { intakeRequest } from '../helpers/fixtures';
import { fuzzCounts } from '../helpers/fuzz-counts';
import { OPENAPI_DOCUMENT } from '../helpers/openapi';
import { startStack } from '../helpers/stack';
import type { Stack, StaffSession } from '../helpers/stack';

const operations = Object.entries(OPENAPI_DOCUMENT.paths ?? {}).flatMap(([template, item]) =>
  Object.keys(item as object)
    .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
    .map((method) => ({ method: method as 'get' | 'post', template })),
);

/** Bodies that are JSON, almost-right intake shapes, or not JSON at all. */
const body = fc.oneof(
  fc.jsonValue(),
  fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })),
  fc.record(
    {
      municipalityCode: fc.oneof(fc.constantFrom('08305', '08096', '99999'), fc.string()),
      benefitCode: fc.oneof(fc.constantFrom('URGENCY_FOOD', 'RENT'), fc.string()),
      applicant: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 })),
      household: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
      incomes: fc.jsonValue({ maxDepth: 2 }),
      bankAccount: fc.jsonValue({ maxDepth: 2 }),
      documents: fc.array(fc.string(), { maxLength: 4 }),
      days: fc.oneof(fc.integer(), fc.double(), fc.string()),
      report: fc.string(),
      assignee: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  ),
  fc.string().map((s) => ({ raw: `{"${s}` })), // malformed JSON
);

const query = fc.dictionary(
  fc.constantFrom('state', 'limit', 'cursor', 'on', 'from', 'amount', 'unit', 'municipality', 'blocked', 'x'),
  fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String), fc.constant('')),
);

const counts = fuzzCounts(__filename);

describe('API fuzzing', () => {
  let stack: Stack;
  let coordinator: StaffSession;
  let caseId: string;
  let before: Written;
  /** What the accepted requests may have written: the applications filed, the assessments taken. */
  const accepted = { applications: new Set<string>(), assessments: 0 };

  /** The rows a request can write before it is refused. */
  interface Written {
    applications: string[];
    claimedBy: string[];
    unfinishedIntakes: number;
    notes: number;
  }
  async function written(): Promise<Written> {
    const { prisma } = stack.db;
    const [applications, claims, unfinishedIntakes, notes] = await Promise.all([
      prisma.application.findMany({ select: { id: true } }),
      prisma.householdClaim.findMany({ select: { applicationId: true }, distinct: ['applicationId'] }),
      prisma.intakeRequest.count({ where: { applicationId: null } }),
      prisma.professionalNote.count(),
    ]);
    return {
      applications: applications.map((a) => a.id).sort(),
      claimedBy: claims.map((c) => c.applicationId).sort(),
      unfinishedIntakes,
      notes,
    };
  }

  beforeAll(async () => {
    stack = await startStack();
    coordinator = await stack.as('coordinator');
    const res = await coordinator.api.post('/applications').send(intakeRequest()).expect(201);
    caseId = res.body.applicationId as string;
    before = await written();
  });
  afterAll(async () => {
    counts.write();
    await stack?.stop();
  });

  const idFor = fc.oneof(
    fc.constant(() => caseId),
    fc.constantFrom('08305-2020-999999', 'not-a-number', '%00', '..', 'x'.repeat(300)).map((v) => () => v),
    fc.string({ minLength: 1, maxLength: 20 }).map((v) => () => encodeURIComponent(v)),
  );

  it.each(operations)('$method $template never answers 500', async ({ method, template }) => {
    await fc.assert(
      fc.asyncProperty(
        idFor,
        body,
        query,
        fc.constantFrom('valid', 'none', 'garbage'),
        async (id, payload, params, auth) => {
          counts.hit(`API ${method.toUpperCase()} ${template}`);
          const path = template
            .replace('{id}', id())
            .replace('{municipality}', encodeURIComponent(id().slice(0, 8)));
          let req = coordinator.api[method](path).query(params);
          if (auth === 'none') req = req.set('authorization', '');
          if (auth === 'garbage') req = req.set('authorization', 'Bearer ogps_' + 'x'.repeat(40));
          if (method === 'post') {
            // Sent as text, so that any JSON value (a bare number, null) reaches the server as it is.
            const raw = (payload as { raw?: unknown } | null)?.raw;
            req = req
              .set('content-type', 'application/json')
              .send(typeof raw === 'string' ? raw : JSON.stringify(payload));
          }
          const res = await req;
          if (res.status >= 500) {
            throw new Error(`${method.toUpperCase()} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
          }
          if (res.status >= 400) expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
          if (method === 'post' && template === '/applications' && res.status === 201)
            accepted.applications.add(res.body.applicationId as string);
          if (method === 'post' && template.endsWith('/assessment') && res.status === 200)
            accepted.assessments++;
        },
      ),
      { numRuns: 25 },
    );
  });

  it('refused requests wrote nothing: the rows there are come from the accepted ones', async () => {
    const after = await written();
    expect(after.applications).toEqual(
      [...new Set([...before.applications, ...accepted.applications])].sort(),
    );
    for (const id of after.claimedBy) expect([...before.claimedBy, ...accepted.applications]).toContain(id);
    expect(after.unfinishedIntakes).toBe(before.unfinishedIntakes);
    // Assessments with a report (one note each) are the only notes a request writes.
    expect(after.notes - before.notes).toBeLessThanOrEqual(accepted.assessments);
  });
});
