/**
 * What a coordinator can do to a case from the outside, in the time-skipping server with typed fakes: ask
 * the registries again now instead of at the next round, and cancel a case before its resolution.
 */
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { RejectionType } from '../../domain/errors';
import { cancelUpdate, escalateUpdate, retryNowUpdate, statusQuery } from '../../workflows/messages';
import { rejectionType } from '../helpers/failures';
import { reach, runCase } from '../helpers/lifecycle';
import type { FakeOptions } from '../../scripts/dev/case-fakes';
import { bundleWorkflows, createTimeSkippingEnv } from '../helpers/temporal';

describe('office actions on a case', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  const withCase = (
    opts: FakeOptions,
    fn: Parameters<typeof runCase>[3],
    adjust?: Parameters<typeof runCase>[4],
  ): Promise<void> => runCase(env, bundle, opts, fn, adjust);

  it('asks a registry again at once when a coordinator says so, instead of at the next round', async () => {
    // Down for the first round (3 attempts of each of the 3 services), back from then on.
    await withCase({ registriesDownFrom: 1, registriesBackAt: 10 }, async (handle, fake) => {
      for (let i = 0; i < 30 && !(await handle.query(statusQuery)).blockedOn?.length; i++)
        await env.sleep('10 seconds');
      const blocked = await handle.query(statusQuery);
      expect(blocked.blockedOn?.length).toBeGreaterThan(0);
      const before = fake.calls.registryAttempts;
      // The next round is 5 minutes away; the coordinator does not wait for it.
      await handle.executeUpdate(retryNowUpdate, {
        args: [{ actor: 'coord-1', reason: 'El padró torna a funcionar' }],
      });
      for (let i = 0; i < 10 && (await handle.query(statusQuery)).state === 'registered'; i++)
        await env.sleep('5 seconds');
      const after = await handle.query(statusQuery);
      expect(fake.calls.registryAttempts).toBeGreaterThan(before);
      expect(after.blockedOn ?? []).toEqual([]);
      expect(after.state).not.toBe('registered');
      expect(after.history.some((h) => h.type === 'retry_now' && h.actor === 'coord-1')).toBe(true);
      expect(fake.eventTypes()).toContain('retry_now');
    });
  });

  it('refuses "retry now" when nothing waits to be retried', async () => {
    await withCase({}, async (handle) => {
      await reach(env, handle, 'assessment');
      const err = handle.executeUpdate(retryNowUpdate, { args: [{ actor: 'coord-1' }] });
      expect(await rejectionType(err)).toBe(RejectionType.InvalidTransition);
    });
  });

  it('cancels a case before its resolution, with the reason, and refuses without one', async () => {
    await withCase({ attached: [] }, async (handle) => {
      await reach(env, handle, 'awaiting_documents');
      const noReason = handle.executeUpdate(cancelUpdate, {
        args: [{ actor: 'coord-1', reason: ' ' }],
      });
      expect(await rejectionType(noReason)).toBe(RejectionType.InvalidInput);
      const cancelled = await handle.executeUpdate(cancelUpdate, {
        args: [{ actor: 'coord-1', reason: 'Sol·licitud duplicada' }],
      });
      expect(cancelled).toMatchObject({
        state: 'closed',
        closingReason: 'cancelled by the office: Sol·licitud duplicada',
        deadlines: [],
      });
      expect(cancelled.upcomingReminders).toEqual([]);
      // Closed, the case's workflow ends: the API answers later actions on it with 409 (closed).
      expect((await handle.result()).state).toBe('closed');
    });
  });

  it('escalates a case with what needs attention, and refuses an empty reason', async () => {
    await withCase({}, async (handle, fake) => {
      await reach(env, handle, 'assessment');
      const empty = handle.executeUpdate(escalateUpdate, { args: [{ actor: 'admin-1', reason: '' }] });
      expect(await rejectionType(empty)).toBe(RejectionType.InvalidInput);
      const escalated = await handle.executeUpdate(escalateUpdate, {
        args: [{ actor: 'admin-1', reason: 'La família no té subministraments' }],
      });
      expect(escalated.escalation).toMatchObject({
        by: 'admin-1',
        reason: 'La família no té subministraments',
      });
      expect(fake.eventTypes()).toContain('escalated');
    });
  });
});
