import { FIELD_MATRIX, RECIPIENT_IDS, classifyGewerbe, fieldsAllowedFor, parseGewerbeanmeldung, recipientsFor } from './index';
import type { GewerbeanmeldungInput, RecipientId } from './index';
import { SPEC_TODAY, validAnmeldung } from './test-request';

/**
 * The reference table (shared/reference/gewerbeanzeige.md) copied as text, independently of
 * FIELD_MATRIX, and read by the small parser below. Anlage 1 rows only; the register court's row
 * is for Anlage 3, so it gets no Anlage 1 field.
 */
const REFERENCE_ANLAGE1: Record<RecipientId, string> = {
  ihk: 'all except 13, 27, 29–31, 33',
  hwk: 'all except 13, 27, 30, 31, 33',
  immission: 'all except 10, 12, 13, 27–31, 33',
  arbeitsschutz: 'all except 10, 12, 13, 27–31, 33',
  eichamt: 'only 1, 3–5, 11, 14, 15, 18, 20',
  ba: 'all except 13, 27, 33',
  dguv: 'all except 12, 28, 30, 31, 33',
  zoll: 'all except 13, 27, 33',
  registergericht: 'none',
  statistik: 'only 1–5, 12, 15–17, 6, 10, 18–25, 29, 32',
  lebensmittel: 'all except 10, 12, 13, 27–31, 33',
  kbs: 'all except 12, 13, 17, 19, 21–31, 33',
  auslaenderbehoerde: 'all except 12–14, 17, 19, 22–29, 33',
  finanzamt: 'all except 6, 12, 13, 19, 21, 22, 27–31, 33',
  erlaubnisbehoerde: 'all except 33',
};

function numbers(list: string): Set<number> {
  const out = new Set<number>();
  for (const part of list.split(',').map((p) => p.trim())) {
    const [from, to] = part.split('–').map(Number) as [number, number | undefined];
    for (let n = from; n <= (to ?? from); n++) out.add(n);
  }
  return out;
}

function referenceAllows(id: RecipientId, field: number): boolean {
  const row = REFERENCE_ANLAGE1[id];
  if (row === 'none') return false;
  if (row.startsWith('only ')) return numbers(row.slice('only '.length)).has(field);
  return !numbers(row.slice('all except '.length)).has(field);
}

const ALL_FIELDS = Array.from({ length: 33 }, (_, i) => i + 1);
const TABLE = RECIPIENT_IDS.flatMap((id) => ALL_FIELDS.map((field) => [id, field, referenceAllows(id, field)] as const));

describe('GewAnzV § 3 field matrix (Anlage 1)', () => {
  it('covers all 15 recipients of the interface', () => {
    expect([...RECIPIENT_IDS].sort()).toEqual(Object.keys(REFERENCE_ANLAGE1).sort());
    expect(TABLE).toHaveLength(15 * 33);
  });

  it.each(TABLE)('%s × field %i → allowed %p', (id, field, allowed) => {
    expect(fieldsAllowedFor(id).has(field)).toBe(allowed);
  });

  it('gives nobody field 33 (the signature) and nothing outside 1–33', () => {
    for (const id of RECIPIENT_IDS) {
      expect(fieldsAllowedFor(id).has(33)).toBe(false);
      expect([...fieldsAllowedFor(id)].every((n) => n >= 1 && n <= 33)).toBe(true);
    }
  });

  it('keeps the register court row for Anlage 3 and refuses to guess the unnumbered forms', () => {
    expect(FIELD_MATRIX.registergericht.abmeldung).toEqual({ allExcept: [[8, 10], [12, 14], 16, 21, 22, 24, [28, 30]] });
    expect(fieldsAllowedFor('registergericht', 'anmeldung').size).toBe(0);
    expect(() => fieldsAllowedFor('registergericht', 'abmeldung')).toThrow('not numbered yet');
    expect(fieldsAllowedFor('ihk', 'ummeldung').size).toBe(0);
  });
});

describe('recipientsFor', () => {
  function recipientIds(patch: (b: GewerbeanmeldungInput) => void): RecipientId[] {
    const body = validAnmeldung();
    patch(body);
    const req = parseGewerbeanmeldung(body, { today: SPEC_TODAY });
    return recipientsFor(req, classifyGewerbe(req).grounds).map((r) => r.id);
  }

  it('sends an online bookshop with one part-time employee to IHK, safety, BA, DGUV, statistics, KBS and Finanzamt', () => {
    expect(recipientIds(() => undefined)).toEqual(['ihk', 'arbeitsschutz', 'ba', 'dguv', 'statistik', 'kbs', 'finanzamt']);
  });

  it('sends a craft business to the Handwerkskammer instead of the IHK', () => {
    const ids = recipientIds((b) => {
      b.business.kind = 'handwerk';
      b.business.wzCode = '43341';
    });
    expect(ids).toContain('hwk');
    expect(ids).not.toContain('ihk');
    expect(ids).toContain('immission');
  });

  it('sends a declared Anlage A craft under another kind to both chambers', () => {
    const ids = recipientIds((b) => {
      b.business.regulatedActivity = 'hwo_a';
    });
    expect(ids).toEqual(expect.arrayContaining(['ihk', 'hwk']));
    expect(ids).not.toContain('erlaubnisbehoerde');
  });

  it('informs the immigration authority only for nationals outside the EU, EEA and Switzerland', () => {
    expect(recipientIds((b) => (b.owner.nationality = 'TR'))).toContain('auslaenderbehoerde');
    expect(recipientIds((b) => (b.owner.nationality = 'US'))).toContain('auslaenderbehoerde');
    for (const free of ['DE', 'PL', 'NO', 'CH']) {
      expect(recipientIds((b) => (b.owner.nationality = free))).not.toContain('auslaenderbehoerde');
    }
  });

  it('adds the permit authority for permit trades but not for § 38 trades', () => {
    expect(recipientIds((b) => (b.business.wzCode = '68310'))).toContain('erlaubnisbehoerde');
    expect(recipientIds((b) => (b.business.regulatedActivity = 'gastg'))).toContain('erlaubnisbehoerde');
    expect(recipientIds((b) => (b.business.wzCode = '80300'))).not.toContain('erlaubnisbehoerde');
  });

  it('adds food and weights-and-measures authorities for a bar', () => {
    const ids = recipientIds((b) => {
      b.business.wzCode = '56301';
    });
    expect(ids).toEqual(expect.arrayContaining(['lebensmittel', 'eichamt', 'immission', 'erlaubnisbehoerde']));
  });

  it('leaves out safety and KBS without staff, and never picks customs or the register court', () => {
    const ids = recipientIds((b) => {
      b.business.employeesPartTime = 0;
    });
    expect(ids).toEqual(['ihk', 'ba', 'dguv', 'statistik', 'finanzamt']);
    expect(recipientIds((b) => (b.business.employeesFullTime = 3))).toContain('arbeitsschutz');
  });

  it('sends a taxi business to the Eichamt (taximeter) without a permit authority', () => {
    const ids = recipientIds((b) => {
      b.business.wzCode = '49320';
      b.business.kind = 'sonstiges';
    });
    expect(ids).toContain('eichamt');
    expect(ids).not.toContain('erlaubnisbehoerde');
  });
});
