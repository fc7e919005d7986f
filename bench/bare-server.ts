/**
 * The ceiling for reads: a bare Express handler doing one primary-key select with `pg`, nothing else (no
 * authentication, audit, validation or Temporal query). Started as its own process by bench/reads.ts.
 */
import express from 'express';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = express();
app.get('/applications/:id', async (req, res) => {
  const { rows } = await pool.query('SELECT * FROM application WHERE id = $1', [req.params.id]);
  if (rows.length === 0) res.status(404).end();
  else res.json(rows[0]);
});
const server = app.listen(Number(process.env.PORT), '127.0.0.1', () => {
  process.send?.('ready');
});
process.on('SIGTERM', () => {
  server.close();
  void pool.end();
});
