import { DomainError } from '../errors';
import { parseGewerbeanmeldung, validateGewerbeanmeldung } from './index';
import type { GewerbeFieldError, GewerbeanmeldungInput } from './index';
import { SPEC_TODAY, validAnmeldung } from './test-request';

type Patch = (body: GewerbeanmeldungInput & Record<string, unknown>) => void;

function errorsOf(patch: Patch, today = SPEC_TODAY): readonly GewerbeFieldError[] {
  const body = validAnmeldung() as GewerbeanmeldungInput & Record<string, unknown>;
  patch(body);
  const result = validateGewerbeanmeldung(body, { today });
  if (result.success) throw new Error('expected the body to be rejected');
  return result.errors;
}

function fieldsOf(patch: Patch, today = SPEC_TODAY): string[] {
  return errorsOf(patch, today).map((e) => e.field);
}

describe('Gewerbeanmeldung schema', () => {
  it('accepts the API.md example and normalises it', () => {
    const req = parseGewerbeanmeldung(validAnmeldung(), { today: SPEC_TODAY });
    expect(req).toEqual(validAnmeldung());
  });

  it('normalises WZ codes with dots, lower-case nationality and the city of the business', () => {
    const body = validAnmeldung();
    body.business.wzCode = '47.91.0';
    body.owner.nationality = 'tr';
    body.business.address.city = ' berlin ';
    const req = parseGewerbeanmeldung(body, { today: SPEC_TODAY });
    expect(req.business.wzCode).toBe('47910');
    expect(req.owner.nationality).toBe('TR');
    expect(req.business.address.city).toBe('Berlin');
  });

  it('defaults a missing regulatedActivity to null and accepts a known one', () => {
    const body = validAnmeldung();
    delete body.business.regulatedActivity;
    expect(parseGewerbeanmeldung(body, { today: SPEC_TODAY }).business.regulatedActivity).toBeNull();
    body.business.regulatedActivity = '34c';
    expect(parseGewerbeanmeldung(body, { today: SPEC_TODAY }).business.regulatedActivity).toBe('34c');
  });

  it('throws a DomainError INVALID with JSON-pointer field issues', () => {
    const body = validAnmeldung();
    body.business.wzCode = '4791';
    let thrown: unknown;
    try {
      parseGewerbeanmeldung(body, { today: SPEC_TODAY });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect(thrown).toMatchObject({
      code: 'INVALID',
      details: {
        reason: 'invalid_gewerbeanmeldung',
        errors: [{ path: '/business/wzCode', message: expect.stringContaining('fünfstelliger WZ-2008-Schlüssel') }],
      },
    });
  });

  it('rejects unknown keys at every level, each at its own path', () => {
    expect(
      fieldsOf((b) => {
        b['extra'] = 1;
        (b.owner as Record<string, unknown>)['sex'] = 'w';
        (b.business.address as Record<string, unknown>)['district'] = 'Mitte';
      }).sort(),
    ).toEqual(['business.address.district', 'extra', 'owner.sex']);
  });

  it('reports every missing required field with its path', () => {
    const body = validAnmeldung() as unknown as Record<string, Record<string, unknown>>;
    delete body['owner']!['birthDate'];
    delete body['business']!['kind'];
    delete body['reason'];
    const result = validateGewerbeanmeldung(body, { today: SPEC_TODAY });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.errors).toEqual([
      { field: 'owner.birthDate', path: '/owner/birthDate', message: 'Pflichtangabe fehlt' },
      { field: 'business.kind', path: '/business/kind', message: 'Pflichtangabe fehlt' },
      { field: 'reason', path: '/reason', message: 'Pflichtangabe fehlt' },
    ]);
  });

  describe('dates', () => {
    it.each(['2027-02-29', '2027-13-01', '01.01.2027', '2027-1-1', ''])('rejects startDate %p as not a real ISO date', (startDate) => {
      expect(errorsOf((b) => (b.business.startDate = startDate))).toEqual([
        expect.objectContaining({ field: 'business.startDate', message: expect.stringContaining('JJJJ-MM-TT') }),
      ]);
    });

    it('accepts a start exactly 3 months back and rejects one day earlier (the Anzeige is due at the start)', () => {
      const ok = validAnmeldung();
      ok.business.startDate = '2026-09-01';
      expect(validateGewerbeanmeldung(ok, { today: SPEC_TODAY }).success).toBe(true);
      const errors = errorsOf((b) => (b.business.startDate = '2026-08-31'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ field: 'business.startDate' });
      expect(errors[0]!.message).toContain('höchstens 3 Monate zurückliegen');
      expect(errors[0]!.message).toContain('§ 14 Abs. 1 GewO');
    });

    it('rejects a start more than 12 months ahead', () => {
      const ok = validAnmeldung();
      ok.business.startDate = '2027-12-01';
      expect(validateGewerbeanmeldung(ok, { today: SPEC_TODAY }).success).toBe(true);
      expect(fieldsOf((b) => (b.business.startDate = '2027-12-02'))).toEqual(['business.startDate']);
    });

    it('uses the injected today: the same body is valid on one day and too late on another', () => {
      const body = validAnmeldung();
      expect(validateGewerbeanmeldung(body, { today: '2027-04-01' }).success).toBe(true);
      expect(validateGewerbeanmeldung(body, { today: '2027-04-02' }).success).toBe(false);
      // An instant is read as its Berlin date: 2027-04-01T22:30Z is already 2 April in Berlin.
      expect(validateGewerbeanmeldung(body, { today: new Date('2027-04-01T21:30:00Z') }).success).toBe(true);
      expect(validateGewerbeanmeldung(body, { today: new Date('2027-04-01T22:30:00Z') }).success).toBe(false);
    });

    it('requires the owner to be of full age on the day of filing (minors: § 112 BGB, with a caseworker)', () => {
      const adult = validAnmeldung();
      adult.owner.birthDate = '2008-12-01';
      expect(validateGewerbeanmeldung(adult, { today: SPEC_TODAY }).success).toBe(true);
      const errors = errorsOf((b) => (b.owner.birthDate = '2008-12-02'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ field: 'owner.birthDate' });
      expect(errors[0]!.message).toContain('volljährig');
      expect(errors[0]!.message).toContain('§ 112 BGB');
    });

    it('rejects a birth date in the future or more than 120 years back', () => {
      expect(errorsOf((b) => (b.owner.birthDate = '2026-12-02'))[0]?.message).toBe('darf nicht in der Zukunft liegen');
      expect(errorsOf((b) => (b.owner.birthDate = '1906-12-01'))[0]?.message).toContain('nicht plausibel');
      expect(errorsOf((b) => (b.owner.birthDate = '1985-02-30'))[0]?.field).toBe('owner.birthDate');
    });
  });

  describe('addresses', () => {
    it.each(['10115', '12099', '14199'])('accepts the Berlin postal code %s for the business', (postalCode) => {
      const body = validAnmeldung();
      body.business.address.postalCode = postalCode;
      expect(validateGewerbeanmeldung(body, { today: SPEC_TODAY }).success).toBe(true);
    });

    it.each(['10114', '14200', '80331'])('rejects the non-Berlin postal code %s for the business', (postalCode) => {
      const errors = errorsOf((b) => (b.business.address.postalCode = postalCode));
      expect(errors).toEqual([expect.objectContaining({ field: 'business.address.postalCode', message: expect.stringContaining('Berliner Postleitzahl') })]);
    });

    it.each(['1011', '101155', 'ABCDE'])('rejects %p as a postal code', (postalCode) => {
      expect(fieldsOf((b) => (b.owner.address.postalCode = postalCode))).toEqual(['owner.address.postalCode']);
      expect(fieldsOf((b) => (b.business.address.postalCode = postalCode))).toEqual(['business.address.postalCode']);
    });

    it('rejects a business outside Berlin but lets the owner live elsewhere in Germany', () => {
      expect(fieldsOf((b) => (b.business.address.city = 'Potsdam'))).toEqual(['business.address.city']);
    });
  });

  describe('codes and enums', () => {
    it.each(['47910', '47.91.0', '4791.0', '43341', '56.30.1', '01110'])('accepts the WZ code %p', (wzCode) => {
      const body = validAnmeldung();
      body.business.wzCode = wzCode;
      expect(validateGewerbeanmeldung(body, { today: SPEC_TODAY }).success).toBe(true);
    });

    it.each([
      ['4791', 'fünfstelliger'],
      ['47.91', 'fünfstelliger'],
      ['479100', 'fünfstelliger'],
      ['04100', 'Abteilung 04 gibt es nicht'],
      ['44000', 'Abteilung 44 gibt es nicht'],
      ['56400', 'kein WZ-2008-Schlüssel der Abteilung 56'],
      ['43340', 'kein WZ-2008-Schlüssel der Abteilung 43'],
    ])('rejects the WZ code %p (%s)', (wzCode, message) => {
      expect(errorsOf((b) => (b.business.wzCode = wzCode))).toEqual([
        expect.objectContaining({ field: 'business.wzCode', message: expect.stringContaining(message) }),
      ]);
    });

    it.each(['D', 'DEU', 'XY', 'EU', 'UK'])('rejects the nationality %p (ISO 3166-1 alpha-2 only)', (nationality) => {
      expect(fieldsOf((b) => (b.owner.nationality = nationality))).toEqual(['owner.nationality']);
    });

    it.each(['GB', 'UA', 'XK', 'CH'])('accepts the nationality %p', (nationality) => {
      const body = validAnmeldung();
      body.owner.nationality = nationality;
      expect(validateGewerbeanmeldung(body, { today: SPEC_TODAY }).success).toBe(true);
    });

    it('rejects unknown legal forms, kinds, establishments, reasons and regulated activities', () => {
      const errors = errorsOf((b) => {
        (b.business as Record<string, unknown>)['legalForm'] = 'Limited';
        (b.business as Record<string, unknown>)['kind'] = 'dienstleistung';
        (b.business as Record<string, unknown>)['establishment'] = 'filiale';
        (b.business as Record<string, unknown>)['regulatedActivity'] = '34x';
        (b as Record<string, unknown>)['reason'] = 'umzug';
      });
      expect(errors.map((e) => e.field)).toEqual([
        'business.legalForm',
        'business.kind',
        'business.establishment',
        'business.regulatedActivity',
        'reason',
      ]);
      expect(errors[0]!.message).toContain('UG (haftungsbeschränkt)');
      expect(errors[4]!.message).toContain('gruendung_nach_umwandlung');
    });

    it('accepts every German legal form of the list', () => {
      for (const legalForm of ['GbR', 'OHG', 'KG', 'GmbH', 'UG (haftungsbeschränkt)', 'AG', 'eG', 'e.K.', 'Partnerschaftsgesellschaft', 'Ltd.'] as const) {
        const body = validAnmeldung();
        body.business.legalForm = legalForm;
        expect(validateGewerbeanmeldung(body, { today: SPEC_TODAY }).success).toBe(true);
      }
    });
  });

  it('requires non-negative whole employee counts and a boolean sideBusiness', () => {
    const errors = errorsOf((b) => {
      b.business.employeesFullTime = -1;
      b.business.employeesPartTime = 1.5;
      (b.business as Record<string, unknown>)['sideBusiness'] = 'nein';
    });
    expect(errors.map((e) => [e.field, e.message])).toEqual([
      ['business.employeesFullTime', 'darf nicht negativ sein'],
      ['business.employeesPartTime', 'muss eine ganze Zahl sein'],
      ['business.sideBusiness', 'muss true oder false sein'],
    ]);
  });

  it('rejects empty names, control characters and an invalid e-mail address', () => {
    const errors = errorsOf((b) => {
      b.owner.givenName = '   ';
      b.business.name = 'Bücher\u0007stube';
      b.owner.email = 'erika@';
    });
    expect(errors.map((e) => [e.field, e.message])).toEqual([
      ['owner.givenName', 'darf nicht leer sein'],
      ['owner.email', 'muss eine gültige E-Mail-Adresse sein'],
      ['business.name', 'darf keine Steuerzeichen enthalten'],
    ]);
  });
});
