import { state } from './state';

export default async function globalTeardown(): Promise<void> {
  await state.stopTemporal?.();
  // The local test cluster is stopped so that no server outlives the run; its files stay for the next one.
  state.stopPostgres?.();
}
