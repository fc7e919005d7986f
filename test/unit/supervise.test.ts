/**
 * The supervisor of `npm start`: a crashed process is started again after 1, 2, 4… s; one that keeps
 * crashing (five times in five minutes) makes it give up, so that the caller stops everything.
 */
import { jest } from '@jest/globals';
import { supervise } from '../../scripts/dev/supervise';
import type { Launched } from '../../scripts/dev/supervise';

interface Fake {
  launched: number;
  crash: (how: string) => void;
}

function fakeProcess(): { fake: Fake; launch: () => Promise<Launched> } {
  let end: (how: string) => void = () => undefined;
  const fake: Fake = { launched: 0, crash: (how) => end(how) };
  const launch = (): Promise<Launched> => {
    fake.launched += 1;
    return Promise.resolve({
      pid: 1000 + fake.launched,
      exited: new Promise<string>((resolve) => {
        end = resolve;
      }),
      stop: () => Promise.resolve(),
    });
  };
  return { fake, launch };
}

describe('supervise', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('restarts a crashed process after a growing wait, saying so', async () => {
    const said: string[] = [];
    const { fake, launch } = fakeProcess();
    let gaveUp = false;
    await supervise('worker', launch, {
      say: (m) => said.push(m),
      stopping: () => false,
      giveUp: () => {
        gaveUp = true;
      },
    });
    expect(fake.launched).toBe(1);
    fake.crash('SIGKILL');
    await jest.advanceTimersByTimeAsync(999);
    expect(fake.launched).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(fake.launched).toBe(2);
    fake.crash('1');
    await jest.advanceTimersByTimeAsync(2000);
    expect(fake.launched).toBe(3);
    expect(said).toEqual([
      'worker started (pid 1001)',
      'worker exited unexpectedly (SIGKILL); restarting it in 1 s, the rest keeps serving',
      'worker started (pid 1002)',
      'worker exited unexpectedly (1); restarting it in 2 s, the rest keeps serving',
      'worker started (pid 1003)',
    ]);
    expect(gaveUp).toBe(false);
  });

  it('gives up on a process that crashes five times in five minutes', async () => {
    const said: string[] = [];
    const { fake, launch } = fakeProcess();
    let gaveUp = false;
    await supervise('api', launch, {
      say: (m) => said.push(m),
      stopping: () => false,
      giveUp: () => {
        gaveUp = true;
      },
    });
    for (let i = 0; i < 4; i++) {
      fake.crash('1');
      await jest.advanceTimersByTimeAsync(30_000);
    }
    expect(fake.launched).toBe(5);
    expect(gaveUp).toBe(false);
    fake.crash('1');
    await jest.advanceTimersByTimeAsync(60_000);
    expect(gaveUp).toBe(true);
    expect(fake.launched).toBe(5);
    expect(said.at(-1)).toBe('api exited (1) 5 times in 5 minutes; stopping everything');
  });

  it('does not restart what is being stopped on purpose', async () => {
    const { fake, launch } = fakeProcess();
    let stopping = false;
    await supervise('sms', launch, {
      say: () => undefined,
      stopping: () => stopping,
      giveUp: () => undefined,
    });
    stopping = true;
    fake.crash('0');
    await jest.advanceTimersByTimeAsync(60_000);
    expect(fake.launched).toBe(1);
  });

  it('counts a restart that does not come up as one more crash, and tries again', async () => {
    const said: string[] = [];
    const { fake, launch } = fakeProcess();
    let failNext = false;
    await supervise(
      'registry simulator',
      () => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('port 4010 is in use\nmore'));
        }
        return launch();
      },
      { say: (m) => said.push(m), stopping: () => false, giveUp: () => undefined },
    );
    failNext = true;
    fake.crash('SIGKILL');
    await jest.advanceTimersByTimeAsync(1000);
    expect(said.at(-1)).toBe(
      'registry simulator exited unexpectedly (port 4010 is in use); restarting it in 2 s, the rest keeps serving',
    );
    await jest.advanceTimersByTimeAsync(2000);
    expect(fake.launched).toBe(2);
  });
});
