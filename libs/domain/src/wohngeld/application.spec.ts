import { calculateWohngeld } from './estimate';
import { parseEstimateRequest } from './schema';
import type { WohngeldEstimateRequest } from './schema';
import { requiredWohngeldProofs } from './proofs';
import { firstOfNextMonth, startOfBerlinDay, wohngeldApprovalPeriod, wohngeldIncomeChange } from './approval';
import { formatEuro, wohngeldNoticeLetter } from './notice';
import type { WohngeldNoticeInput } from './notice';

// The pure parts of the Wohngeld application process (workflows/wohngeld): the completeness
// check, the approval period, the change-report threshold and the notice's content.

function household(raw: unknown): WohngeldEstimateRequest {
  const parsed = parseEstimateRequest(raw);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  return parsed.data;
}

describe('requiredWohngeldProofs (completeness check)', () => {
  it('a tenant with one pension: the rent contract and one income proof', () => {
    const proofs = requiredWohngeldProofs(household({ municipality: 'Berlin', householdMembers: 1, housing: { kind: 'miete', monthly: 480 }, incomes: [{ member: 1, kind: 'pension', monthlyGross: 880 }] }));
    expect(proofs.map((p) => p.kind)).toEqual(['rent-contract', 'income-member-1']);
    expect(proofs[0]!.text).toMatch(/^Mietvertrag oder Mietbescheinigung/);
    expect(proofs[1]!.text).toBe('Einkommensnachweise von Ihnen (Haushaltsmitglied 1): aktueller Rentenbescheid bzw. Rentenanpassungsmitteilung');
  });

  it('one income proof per earning member (all their kinds in one), none for a member with 0 €; claimed allowances need proofs', () => {
    const proofs = requiredWohngeldProofs(
      household({
        mietstufe: 4,
        householdMembers: 4,
        housing: { kind: 'belastung', monthly: 900 },
        incomes: [
          { member: 2, kind: 'employment', monthlyGross: 1400, taxes: true },
          { member: 1, kind: 'employment', monthlyGross: 900 },
          { member: 1, kind: 'maintenance', monthlyGross: 200 },
          { member: 3, kind: 'other', monthlyGross: 0 },
        ],
        allowances: { severelyDisabledMembers: 2, singleParent: true, maintenancePaidYearly: 1200 },
      }),
    );
    expect(proofs.map((p) => p.kind)).toEqual(['burden-calculation', 'income-member-1', 'income-member-2', 'disability-proof', 'single-parent-proof', 'maintenance-paid-proof']);
    expect(proofs[1]!.text).toContain('Lohn- oder Gehaltsabrechnungen der letzten drei Monate; Nachweis über den erhaltenen Unterhalt');
    expect(proofs[2]!.text).toMatch(/^Einkommensnachweise von Haushaltsmitglied 2: Lohn/);
    expect(proofs[3]!.text).toContain('für jedes der 2 schwerbehinderten Haushaltsmitglieder');
  });

  it('no income, no allowances: only the housing proof', () => {
    expect(requiredWohngeldProofs(household({ mietstufe: 1, householdMembers: 1, housing: { kind: 'miete', monthly: 300 } })).map((p) => p.kind)).toEqual(['rent-contract']);
  });
});

describe('wohngeldApprovalPeriod (§ 25 WoGG)', () => {
  it('12 months from the first of the month of application, reminder two months before the end', () => {
    const p = wohngeldApprovalPeriod(new Date('2026-11-28T17:00:00Z'), 12, 'P2M');
    expect(p).toEqual({ from: '2026-11-01', to: '2027-10-31', endsAt: '2027-10-31T22:59:59.999Z', reapplyReminderAt: '2027-08-31T22:00:00.000Z' });
  });

  it('counts the month in Berlin: 23:30 UTC on 31 January is already February', () => {
    const p = wohngeldApprovalPeriod(new Date('2027-01-31T23:30:00Z'), 12, 'P2M');
    expect(p.from).toBe('2027-02-01');
    expect(p.to).toBe('2028-01-31');
    expect(p.endsAt).toBe('2028-01-31T22:59:59.999Z'); // winter time: midnight is 23:00 UTC
    expect(p.reapplyReminderAt).toBe('2027-11-30T23:00:00.000Z'); // 1 December 2027, Berlin
  });

  it('other lengths and leads; refuses what the law does not allow', () => {
    expect(wohngeldApprovalPeriod(new Date('2026-03-15T10:00:00Z'), 24, 'P6W')).toMatchObject({ from: '2026-03-01', to: '2028-02-29', reapplyReminderAt: startOfBerlinDay(2028, 1, 19).toISOString() });
    expect(() => wohngeldApprovalPeriod(new Date(), 25, 'P2M')).toThrow(RangeError);
    expect(() => wohngeldApprovalPeriod(new Date(), 12, 'PT5H')).toThrow(RangeError);
  });

  it('startOfBerlinDay and firstOfNextMonth', () => {
    expect(startOfBerlinDay(2026, 7, 14).toISOString()).toBe('2026-07-13T22:00:00.000Z');
    expect(startOfBerlinDay(2026, 12, 1).toISOString()).toBe('2026-11-30T23:00:00.000Z');
    expect(firstOfNextMonth(new Date('2026-12-31T23:30:00Z'))).toBe('2027-02-01'); // already 1 January in Berlin
    expect(firstOfNextMonth(new Date('2026-06-10T12:00:00Z'))).toBe('2026-07-01');
  });
});

describe('wohngeldIncomeChange (§ 27 Abs. 2 Nr. 3 WoGG: more than 15 %)', () => {
  it('exactly 15 % is not enough, a cent more is', () => {
    expect(wohngeldIncomeChange(1000, 1150)).toEqual({ changePercent: 15, significant: false });
    expect(wohngeldIncomeChange(1000, 1150.01)).toEqual({ changePercent: 15, significant: true });
    expect(wohngeldIncomeChange(800, 1000)).toEqual({ changePercent: 25, significant: true });
    expect(wohngeldIncomeChange(1000, 900)).toEqual({ changePercent: -10, significant: false });
  });
  it('from no income to some is significant; 0 to 0 is not', () => {
    expect(wohngeldIncomeChange(0, 100)).toEqual({ changePercent: Number.POSITIVE_INFINITY, significant: true });
    expect(wohngeldIncomeChange(0, 0)).toEqual({ changePercent: 0, significant: false });
  });
});

describe('wohngeldNoticeLetter (Bescheid content)', () => {
  const h = household({ municipality: 'Berlin', householdMembers: 2, housing: { kind: 'miete', monthly: 570 }, incomes: [{ member: 1, kind: 'pension', monthlyGross: 880, healthCare: true }] });
  const est = calculateWohngeld(h);
  const base: WohngeldNoticeInput = {
    kind: 'approval',
    caseNumber: 'WG-2026-000042',
    date: '2026-11-28',
    applicationDate: '2026-11-10',
    office: { name: 'Bezirksamt Pankow von Berlin, Wohngeldstelle', addressLines: ['Fröbelstraße 17', '10405 Berlin'] },
    recipient: { givenName: 'Erika', familyName: 'Mustermann', address: { street: 'Lychener Straße 12', postalCode: '10437', city: 'Berlin' } },
    figures: { householdMembers: 2, countedMembers: 2, monthlyIncome: est.monthlyIncome, housingKind: 'miete', actualHousingCost: 570, consideredRent: est.consideredRent, mietstufeRoman: 'IV', calculatedAmount: est.monthlyAmount },
    monthlyAmount: est.monthlyAmount,
    approvalFrom: '2026-11-01',
    approvalTo: '2027-10-31',
    ibanEnding: '3000',
  };
  const text = (l: ReturnType<typeof wohngeldNoticeLetter>) => l.blocks.map((b) => (b.kind === 'table' ? b.rows.map((r) => r.join(': ')).join('\n') : b.text)).join('\n');

  it('approval: amount, period, the figures of the calculation, legal basis and Rechtsbehelfsbelehrung', () => {
    expect(est.eligible).toBe(true);
    const l = wohngeldNoticeLetter(base);
    expect(l).toMatchObject({ title: 'Bescheid über Wohngeld', reference: 'WG-2026-000042', date: '2026-11-28', recipient: { name: 'Erika Mustermann', addressLines: ['Lychener Straße 12', '10437 Berlin'] } });
    const t = text(l);
    expect(t).toContain(`auf Ihren Antrag vom 10. November 2026 bewilligen wir Ihnen Wohngeld als Mietzuschuss in Höhe von ${formatEuro(est.monthlyAmount)} monatlich für die Zeit vom 1. November 2026 bis 31. Oktober 2027.`);
    const table = l.blocks.find((b) => b.kind === 'table');
    expect(table).toEqual({
      kind: 'table',
      rows: [
        ['Haushaltsmitglieder', '2'],
        ['Monatliches Gesamteinkommen (§§ 13 bis 18 WoGG)', formatEuro(est.monthlyIncome)],
        ['Bruttokaltmiete laut Antrag', '570,00 €'],
        ['Zu berücksichtigende Miete (§§ 11, 12 WoGG, Mietstufe IV)', formatEuro(est.consideredRent)],
        ['Wohngeld nach § 19 WoGG (gerundet)', formatEuro(est.monthlyAmount)],
        ['Bewilligtes Wohngeld monatlich', formatEuro(est.monthlyAmount)],
        ['Bewilligungszeitraum (§ 25 WoGG)', '1. November 2026 bis 31. Oktober 2027'],
      ],
    });
    expect(t).toContain('IBAN-Endung 3000');
    expect(t).toContain('§§ 1, 3 bis 5, 11 bis 19, 24 bis 26 Wohngeldgesetz (WoGG)');
    expect(t).toContain('Rechtsbehelfsbelehrung');
    expect(t).toContain('innerhalb eines Monats nach seiner Bekanntgabe Widerspruch erhoben werden');
    expect(t).toContain('beim Bezirksamt Pankow von Berlin, Wohngeldstelle, Fröbelstraße 17, 10405 Berlin');
    expect(t).not.toContain('Abweichend'); // not changed by hand
  });

  it('approval changed by hand: the calculated amount and the reason are stated', () => {
    const t = text(wohngeldNoticeLetter({ ...base, monthlyAmount: 150, changedByHandReason: 'Die Miete ist laut Mietbescheinigung niedriger.' }));
    expect(t).toContain(`Abweichend von der rechnerischen Ermittlung (${formatEuro(est.monthlyAmount)}) setzen wir das Wohngeld auf 150,00 € monatlich fest. Begründung: Die Miete ist laut Mietbescheinigung niedriger.`);
  });

  it('rejection, denial (§ 66 SGB I) and change notices', () => {
    const rej = text(wohngeldNoticeLetter({ ...base, kind: 'rejection', reason: 'Das Wohngeld läge unter 10 € (§ 21 Nr. 1 WoGG).' }));
    expect(rej).toContain('Ihren Antrag vom 10. November 2026 auf Wohngeld lehnen wir ab.');
    expect(rej).toContain('§ 21 Nr. 1 WoGG');
    const den = wohngeldNoticeLetter({ ...base, kind: 'denial', figures: undefined, missingProofs: ['Mietvertrag', 'Rentenbescheid'], proofDeadline: '2026-11-24' });
    expect(den.title).toBe('Bescheid über die Versagung von Wohngeld');
    expect(text(den)).toContain('bis zum 24. November 2026 folgende Nachweise vorzulegen');
    expect(text(den)).toContain('Mietvertrag; Rentenbescheid');
    expect(text(den)).toContain('§§ 60, 66 Abs. 1 und 3, § 67 Erstes Buch Sozialgesetzbuch');
    const chg = text(wohngeldNoticeLetter({ ...base, kind: 'change', monthlyAmount: 40, previousMonthlyAmount: 120, effectiveFrom: '2027-03-01', reportDate: '2027-02-10' }));
    expect(chg).toContain('ab dem 1. März 2027 neu fest: 40,00 € monatlich (bisher 120,00 €)');
    const ends = text(wohngeldNoticeLetter({ ...base, kind: 'change', monthlyAmount: 0, previousMonthlyAmount: 120, effectiveFrom: '2027-03-01', reportDate: '2027-02-10' }));
    expect(ends).toContain('steht Ihnen ab dem 1. März 2027 kein Wohngeld mehr zu');
    expect(() => wohngeldNoticeLetter({ ...base, kind: 'rejection' })).toThrow(/reason is required/);
  });

  it('formatEuro writes German amounts', () => {
    expect(formatEuro(1234.5)).toBe('1.234,50 €');
    expect(formatEuro(0)).toBe('0,00 €');
    expect(formatEuro(1234567)).toBe('1.234.567,00 €');
  });
});
