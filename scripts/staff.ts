/**
 * Staff members and their API tokens, from the command line (DATABASE_URL):
 *
 *   npm run staff -- add <id> --name "Anna Puig" --role social_worker --municipalities 08305,08187
 *                           [--nif 12345678Z] [--email anna.puig@ajuntament.cat]   (reminders go to the email)
 *   npm run staff -- token <id> [--label laptop] [--days 90]     prints a new token, once; it expires after
 *                           --days (at most 365), by default TOKEN_LIFETIME_DAYS (90)
 *   npm run staff -- revoke <id>                                 revokes every token of <id>
 *   npm run staff -- list
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { STAFF_ROLES } from '../domain/access';
import { MUNICIPALITY_CODES } from '../domain/municipalities';
import { loadConfigOrExit } from '../adapters/config';
import { createPrisma } from '../adapters/db/prisma';
import { MAX_TOKEN_LIFETIME_DAYS, issueToken, revokeTokens, upsertStaffMember } from '../adapters/db/staff';

const addSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,60}$/, 'lower-case letters, digits, . _ -'),
  name: z.string().trim().min(1).max(200),
  role: z.enum(STAFF_ROLES),
  municipalities: z
    .string()
    .transform((v) => v.split(',').map((m) => m.trim()))
    .pipe(z.array(z.enum(MUNICIPALITY_CODES)).min(1)),
  nif: z.string().optional(),
  email: z.email().optional(),
});

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      role: { type: 'string' },
      municipalities: { type: 'string' },
      nif: { type: 'string' },
      email: { type: 'string' },
      label: { type: 'string' },
      days: { type: 'string' },
    },
  });
  const [command, id] = positionals;
  const config = loadConfigOrExit();
  const prisma = createPrisma(config.DATABASE_URL);
  try {
    switch (command) {
      case 'add': {
        const parsed = addSchema.safeParse({ id, ...values });
        if (!parsed.success) {
          console.error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
          return 2;
        }
        await upsertStaffMember(prisma, parsed.data);
        console.log(
          `staff member ${parsed.data.id} saved (${parsed.data.role}; ${parsed.data.municipalities.join(', ')})`,
        );
        return 0;
      }
      case 'token': {
        if (!id || !(await prisma.staffMember.findUnique({ where: { id } }))) {
          console.error(`no staff member ${id ?? '(missing id)'}`);
          return 2;
        }
        // Every token expires: after --days, or after TOKEN_LIFETIME_DAYS.
        const days = values.days ? Number(values.days) : config.TOKEN_LIFETIME_DAYS;
        if (!(Number.isInteger(days) && days > 0 && days <= MAX_TOKEN_LIFETIME_DAYS)) {
          console.error(`--days must be a whole number of days, from 1 to ${MAX_TOKEN_LIFETIME_DAYS}`);
          return 2;
        }
        const token = await issueToken(prisma, id, {
          ...(values.label ? { label: values.label } : {}),
          lifetimeDays: days,
        });
        console.log(token);
        return 0;
      }
      case 'revoke': {
        if (!id) {
          console.error('which staff member?');
          return 2;
        }
        console.log(`${await revokeTokens(prisma, id)} token(s) revoked for ${id}`);
        return 0;
      }
      case 'list': {
        for (const s of await prisma.staffMember.findMany({ orderBy: { id: 'asc' } })) {
          console.log(
            `${s.id}\t${s.role}\t${s.municipalities.join(',')}\t${s.active ? 'active' : 'inactive'}\t${s.name}`,
          );
        }
        return 0;
      }
      default:
        console.error('usage: npm run staff -- add|token|revoke|list ...');
        return 2;
    }
  } finally {
    await prisma.$disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
