/** What global setup started, for global teardown (both run in Jest's parent process). */
export const state: { stopPostgres?: () => void; stopTemporal?: () => Promise<void> } = {};
