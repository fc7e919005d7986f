/** Values the global setup leaves in the environment of every test worker. */
export function testEnv(
  name:
    | 'OGPS_TEST_PG_ADMIN_URL'
    | 'OGPS_TEST_TEMPLATE_DB'
    | 'OGPS_TEST_TEMPORAL_ADDRESS'
    | 'OGPS_TEST_SERVER_PATH',
): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest's global setup (npm test)`);
  return value;
}
