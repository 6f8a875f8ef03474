import type { Pool } from 'pg';

export const BENCH_CASES = 100_000;
export const BENCH_CITIZENS = 20_000;
export const BENCH_OWNER_PREFIX = 'bench-citizen-';

/** A small real PDF header so the seeded documents look like the ones the API stores. */
const PDF_HEX = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(1000, 0x20), Buffer.from('\n%%EOF\n')]).toString('hex');

/**
 * Seeds BENCH_CASES cases over BENCH_CITIZENS citizens in a handful of set-based statements
 * (INSERT … SELECT generate_series): statuses and update times spread over a year, four timeline
 * entries per case (one internal), an open request on every 10th case and a 1 kB PDF on every 5th.
 * Idempotent: a database that already holds the bench cases is left as it is.
 */
export async function seedBenchCases(pool: Pool, log: (m: string) => void): Promise<{ seeded: boolean; ms: number }> {
  const started = Date.now();
  const have = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM cases WHERE owner_sub LIKE '${BENCH_OWNER_PREFIX}%'`);
  if (have.rows[0]!.n >= BENCH_CASES) {
    log(`database already holds ${have.rows[0]!.n} bench cases; not seeding`);
    return { seeded: false, ms: 0 };
  }
  if (have.rows[0]!.n > 0) throw new Error('the database holds a partial bench seed; drop it or use a fresh database');

  await pool.query(`
    INSERT INTO cases (id, case_number, type, owner_sub, owner_email, workflow_id, status, status_text, submitted_at, updated_at)
    SELECT md5('bench-case-' || i)::uuid,
           t.prefix || '-2026-' || lpad(i::text, 6, '0'),
           t.type,
           '${BENCH_OWNER_PREFIX}' || (i % ${BENCH_CITIZENS}),
           NULL,
           'case-' || md5('bench-case-' || i)::uuid,
           s.status, s.text,
           ts.at, ts.at + (i % 720) * interval '1 hour'
      FROM generate_series(1, ${BENCH_CASES}) AS i
      JOIN (VALUES (0, 'wohngeld', 'WG'), (1, 'gewerbeanmeldung', 'GA'), (2, 'bewohnerparken', 'BP')) AS t(k, type, prefix) ON t.k = i % 3
      JOIN (VALUES (0, 'SUBMITTED', 'Ihr Antrag ist bei uns eingegangen.'), (1, 'RECEIVED', 'Ihr Antrag wurde angenommen und wird geprüft.'),
                   (2, 'PROCESSING', 'Ihr Antrag wird bearbeitet.'), (3, 'ACTION_REQUIRED', 'Bitte reichen Sie den Mietvertrag nach.'),
                   (4, 'COMPLETED', 'Ihr Antrag ist abgeschlossen.')) AS s(k, status, text) ON s.k = (i / 7) % 5
      CROSS JOIN LATERAL (SELECT now() - ((i * 7919) % 525600) * interval '1 minute' AS at) AS ts`);
  log('cases inserted');

  await pool.query(`
    INSERT INTO case_events (case_id, event_key, at, status, audience, text)
    SELECT c.id, e.key, c.submitted_at + e.after, e.status, e.audience, e.text
      FROM cases c
     CROSS JOIN (VALUES ('submitted', interval '0', 'SUBMITTED', 'citizen', 'Ihr Antrag ist bei uns eingegangen.'),
                        ('received', interval '1 hour', 'RECEIVED', 'citizen', 'Ihr Antrag wurde angenommen und wird geprüft.'),
                        ('check', interval '2 hours', NULL, 'internal', 'Automatische Vollständigkeitsprüfung: Nachweis fehlt.'),
                        ('processing', interval '3 hours', 'PROCESSING', 'citizen', 'Ihr Antrag wird bearbeitet.')) AS e(key, after, status, audience, text)
     WHERE c.owner_sub LIKE '${BENCH_OWNER_PREFIX}%'`);
  log('events inserted');

  await pool.query(`
    INSERT INTO case_requests (id, case_id, kind, text, due_by)
    SELECT md5('bench-request-' || c.id)::uuid, c.id, 'proof', 'Bitte laden Sie Ihren Mietvertrag hoch.', c.updated_at + interval '14 days'
      FROM cases c WHERE c.owner_sub LIKE '${BENCH_OWNER_PREFIX}%' AND get_byte(decode(md5(c.id::text), 'hex'), 0) < 26`);
  await pool.query(
    `INSERT INTO case_documents (id, case_id, doc_key, name, media_type, size, sha256, bytes, uploaded_by)
     SELECT md5('bench-doc-' || c.id)::uuid, c.id, 'bench', 'Mietvertrag.pdf', 'application/pdf', octet_length(b.bytes), encode(sha256(b.bytes), 'hex'), b.bytes, c.owner_sub
       FROM cases c CROSS JOIN (SELECT decode($1, 'hex') AS bytes) b
      WHERE c.owner_sub LIKE '${BENCH_OWNER_PREFIX}%' AND get_byte(decode(md5(c.id::text), 'hex'), 1) < 51`,
    [PDF_HEX],
  );
  log('requests and documents inserted');
  await pool.query('ANALYZE cases, case_events, case_requests, case_documents');
  return { seeded: true, ms: Date.now() - started };
}
