/**
 * Keeps a process of the embedded stack running (`npm start`): one that exits unexpectedly (killed by the
 * out-of-memory killer, a crash) is started again after a growing wait, saying so, while the others keep
 * serving. A process that crashes MAX_CRASHES times within CRASH_WINDOW_MS is broken, not unlucky: the
 * supervisor gives up and the caller stops everything.
 */

/** A started process: how it ended (its exit code or signal), and how to stop it on purpose. */
export interface Launched {
  pid: number | undefined;
  exited: Promise<string>;
  stop: () => Promise<void>;
}

export interface SupervisorHooks {
  say: (msg: string) => void;
  /** True once everything is being stopped on purpose: an exit then is no crash. */
  stopping: () => boolean;
  /** Called once the process keeps crashing. */
  giveUp: () => void;
}

export const MAX_CRASHES = 5;
export const CRASH_WINDOW_MS = 5 * 60_000;
/** Waits before a restart: 1, 2, 4, 8, 16 s, at most 30 s. */
export const restartDelayMs = (crashes: number): number => Math.min(30_000, 1000 * 2 ** (crashes - 1));

/**
 * Launches `name` and relaunches it whenever it exits unexpectedly. Resolves once the first launch is up
 * (a first launch that fails is the caller's error); returns how to stop whichever instance runs then.
 */
export async function supervise(
  name: string,
  launch: () => Promise<Launched>,
  hooks: SupervisorHooks,
): Promise<() => Promise<void>> {
  const crashes: number[] = [];
  let current: Launched;
  const crashed = (how: string): void => {
    if (hooks.stopping()) return;
    const now = Date.now();
    crashes.push(now);
    while (crashes.length > 0 && crashes[0]! < now - CRASH_WINDOW_MS) crashes.shift();
    if (crashes.length >= MAX_CRASHES) {
      hooks.say(`${name} exited (${how}) ${crashes.length} times in 5 minutes; stopping everything`);
      hooks.giveUp();
      return;
    }
    const delay = restartDelayMs(crashes.length);
    hooks.say(
      `${name} exited unexpectedly (${how}); restarting it in ${delay / 1000} s, the rest keeps serving`,
    );
    setTimeout(() => void relaunch(), delay);
  };
  const watch = (running: Launched): void => {
    current = running;
    hooks.say(`${name} started (pid ${running.pid})`);
    void running.exited.then(crashed);
  };
  const relaunch = async (): Promise<void> => {
    if (hooks.stopping()) return;
    let running: Launched;
    try {
      running = await launch();
    } catch (err) {
      // A restart that does not come up counts as one more crash, and is retried the same way.
      crashed(err instanceof Error ? (err.message.split('\n')[0] ?? 'failed') : String(err));
      return;
    }
    watch(running);
  };
  watch(await launch());
  return () => current.stop();
}
