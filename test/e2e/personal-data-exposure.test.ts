/**
 * No personal data in URLs or logs. URLs end up in proxies' and browsers' logs, and logs are read by more
 * people than case files are: a household's name, document number, contact, birth date, income or bank
 * account must appear in neither. Two checks: the API's shape (no operation takes personal data in its
 * path or query), and its behaviour (a person's data sent through filings, reads, refused requests and
 * errors, with the API logging at its most verbose, then searched for in every log line and audit row).
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import request from 'supertest';
import type { AuditWriter } from '../../api/audit';
import { dniFor } from '../../domain/identity';
import { createLogger } from '../../adapters/logger';
import { intakeRequest } from '../helpers/fixtures';
import { OPENAPI_DOCUMENT } from '../helpers/openapi';
import { createStaff, startStack } from '../helpers/stack';
import type { Stack } from '../helpers/stack';

/** Names of parameters that would carry a person's data (matched case-insensitively, in any position). */
const PERSONAL_PARAMETER =
  /document|dni|nie|nif|name|email|mail|phone|iban|account|birth|address|income|holder/i;

interface Parameter {
  name: string;
  in: string;
}

describe('no personal data in URLs or logs', () => {
  it('has no operation taking personal data in its path or query', () => {
    const parameters = Object.entries(OPENAPI_DOCUMENT.paths ?? {}).flatMap(([template, item]) =>
      Object.entries(item as Record<string, { parameters?: Parameter[] }>).flatMap(([method, op]) =>
        (op.parameters ?? [])
          .filter((p) => p.in === 'path' || p.in === 'query')
          .map((p) => `${method.toUpperCase()} ${template} ${p.in}:${p.name}`),
      ),
    );
    // The check has something to look at: the document does declare parameters.
    expect(parameters.length).toBeGreaterThan(10);
    expect(parameters.filter((p) => PERSONAL_PARAMETER.test(p.split(' ')[2] ?? ''))).toEqual([]);
  });

  describe('a person sent through the API', () => {
    let stack: Stack;
    const lines: string[] = [];
    const serial = 30_000_000 + (randomBytes(3).readUIntBE(0, 3) % 1_000_000);
    const person = {
      firstName: 'Zenobia',
      lastName: 'Quintanilla Ferrús',
      documentNumber: dniFor(serial),
      email: 'zenobia.quintanilla@example.org',
      phone: '+34 611 222 333',
      birthDate: '1977-07-17',
      child: 'Hermenegilda',
      childDocument: dniFor(serial + 1),
      iban: 'ES9121000418450200051332',
      monthlyIncome: 432.17,
    };
    /** What must never be logged, each with the forms it could take. */
    const secrets: Record<string, string[]> = {
      firstName: [person.firstName],
      lastName: ['Quintanilla'],
      documentNumber: [person.documentNumber, person.documentNumber.slice(0, 8)],
      email: [person.email, 'zenobia.quintanilla'],
      phone: ['611 222 333', '611222333'],
      birthDate: [person.birthDate],
      child: [person.child, person.childDocument],
      iban: [person.iban, '0200051332'],
      income: ['432.17'],
    };

    beforeAll(async () => {
      stack = await startStack({ app: { rateLimitPerMinute: 100_000 } });
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('leaves none of it in the log lines or the audit trail', async () => {
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
          done();
        },
      });
      // The most verbose level: whatever a debugging operator would switch on.
      const app = stack.appWith({ logger: createLogger('trace', 'test', 'json', sink) });
      const staff = await createStaff(stack.db.prisma, 'coordinator');
      const api = () => ({
        get: (url: string) => request(app).get(url).set('authorization', `Bearer ${staff.token}`),
        post: (url: string) => request(app).post(url).set('authorization', `Bearer ${staff.token}`),
      });
      const filing = intakeRequest({
        applicant: {
          firstName: person.firstName,
          lastName: person.lastName,
          documentNumber: person.documentNumber,
          language: 'ca',
          email: person.email,
          phone: person.phone,
        },
        declared: { birthDate: person.birthDate },
        household: [
          {
            firstName: person.child,
            documentNumber: person.childDocument,
            birthDate: '2008-01-01',
            relationship: 'child',
          },
        ],
        incomes: [{ member: 'applicant', source: 'work', monthlyAmount: person.monthlyIncome }],
        bankAccount: { iban: person.iban, holder: `${person.firstName} ${person.lastName}` },
      });

      // Filed, then filed again (the household already has a case open), then with each part made invalid.
      const filed = await api().post('/applications').send(filing);
      if (filed.status !== 201) throw new Error(JSON.stringify(filed.body));
      const id = filed.body.applicationId as string;
      const again = await api().post('/applications').send(filing);
      expect(again.status).toBe(409);
      const invalid = [
        { ...filing, bankAccount: { iban: `${person.iban}9`, holder: person.lastName } },
        { ...filing, applicant: { ...filing.applicant, email: `${person.email}@` } },
        { ...filing, applicant: { ...filing.applicant, documentNumber: `${person.documentNumber}X` } },
        { ...filing, unexpected: person.documentNumber },
      ];
      for (const body of invalid) {
        const res = await api().post('/applications').send(body);
        expect(res.status).toBe(400);
      }
      // Not JSON at all, with the person's data in it.
      const malformed = await api()
        .post('/applications')
        .set('content-type', 'application/json')
        .send(`{"applicant":{"documentNumber":"${person.documentNumber}","email":"${person.email}"`);
      expect(malformed.status).toBe(400);
      // A case action refused with the person's data in its body.
      const refused = await api()
        .post(`/applications/${id}/withdrawal`)
        .send({ reason: 42, note: `${person.firstName} ${person.documentNumber}` });
      expect(refused.status).toBe(400);

      // Reads of the case, its history and the list.
      await api().get(`/applications/${id}`).expect(200);
      await api().get(`/applications/${id}/history`).expect(200);
      await api().get('/applications?municipality=08305').expect(200);
      await api()
        .post(`/applications/${id}/withdrawal`)
        .send({ reason: `Ho retira ${person.firstName} / Lo retira ${person.firstName}` })
        .expect(200);

      // The checks have something to search: the requests above were logged.
      expect(lines.length).toBeGreaterThanOrEqual(10);
      const found = Object.entries(secrets).flatMap(([what, forms]) =>
        forms.flatMap((form) =>
          lines.filter((line) => line.includes(form)).map((line) => `${what} in ${line.slice(0, 300)}`),
        ),
      );
      expect(found).toEqual([]);

      await (app.locals.audit as AuditWriter).flush();
      const audit = await stack.db.prisma.auditEntry.findMany({ where: { staffId: staff.id } });
      expect(audit.length).toBeGreaterThanOrEqual(10);
      const auditText = JSON.stringify(audit, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
      const inAudit = Object.entries(secrets).flatMap(([what, forms]) =>
        forms.filter((form) => auditText.includes(form)).map((form) => `${what}: ${form}`),
      );
      expect(inAudit).toEqual([]);
    });
  });
});
