import { STRICT_DIVISIONS, WZ_DIVISIONS, WZ_GROUND_RULES, WZ_SUBCLASSES, classifyGewerbe, parseGewerbeanmeldung } from './index';
import type { GewerbeanmeldungInput, GewerbeanmeldungRequest } from './index';
import { SPEC_TODAY, validAnmeldung } from './test-request';

function request(business: Partial<GewerbeanmeldungInput['business']>): GewerbeanmeldungRequest {
  const body = validAnmeldung();
  return parseGewerbeanmeldung({ ...body, business: { ...body.business, ...business } }, { today: SPEC_TODAY });
}

function codesOf(business: Partial<GewerbeanmeldungInput['business']>): string[] {
  return classifyGewerbe(request(business)).grounds.map((g) => `${g.source}:${g.code}`);
}

describe('classifyGewerbe', () => {
  it('leaves an online bookshop unregulated', () => {
    expect(classifyGewerbe(request({}))).toEqual({ regulated: false, grounds: [] });
  });

  it.each([
    ['56.30.1', 'handel', 'gastg', '§ 2 GastG', 'permit'],
    ['56.30.3', 'sonstiges', 'gastg', '§ 2 GastG', 'permit'],
    ['68.31.0', 'sonstiges', '34c', '§ 34c Abs. 1 Satz 1 Nr. 1 GewO', 'permit'],
    ['68.32.0', 'sonstiges', '34c', '§ 34c Abs. 1 Satz 1 Nr. 4 GewO', 'permit'],
    ['64.92.0', 'sonstiges', '34c', '§ 34c Abs. 1 Satz 1 Nr. 2 GewO', 'permit'],
    ['66.12.0', 'sonstiges', '34f', '§ 34f GewO', 'permit'],
    ['66.22.0', 'sonstiges', '34d', '§ 34d GewO', 'permit'],
    ['80.10.0', 'sonstiges', '34a', '§ 34a GewO', 'permit'],
    ['45.11.0', 'handel', '38', '§ 38 Abs. 1 Satz 1 Nr. 1 Buchst. b GewO', 'reliability'],
    ['47.77.0', 'handel', '38', '§ 38 Abs. 1 Satz 1 Nr. 1 Buchst. c, d GewO', 'reliability'],
    ['80.30.0', 'sonstiges', '38', '§ 38 Abs. 1 Satz 1 Nr. 2 GewO', 'reliability'],
    ['79.11.0', 'sonstiges', '38', '§ 38 Abs. 1 Satz 1 Nr. 4 GewO', 'reliability'],
    ['43.34.1', 'handwerk', 'hwo_a', '§ 1 HwO i. V. m. Anlage A', 'permit'],
    ['43.21.0', 'handwerk', 'hwo_a', '§ 1 HwO i. V. m. Anlage A', 'permit'],
    ['96.02.1', 'handwerk', 'hwo_a', '§ 1 HwO i. V. m. Anlage A', 'permit'],
  ] as const)('derives from WZ %s (%s) the ground %s, %s', (wzCode, kind, code, legalBasis, groundKind) => {
    const result = classifyGewerbe(request({ wzCode, kind }));
    expect(result.regulated).toBe(true);
    expect(result.grounds).toEqual([{ code, source: 'wz', title: expect.any(String), legalBasis, kind: groundKind }]);
  });

  it('derives the Handwerksrolle only for a business registered as a craft', () => {
    expect(codesOf({ wzCode: '43210', kind: 'handwerk' })).toEqual(['wz:hwo_a']);
    expect(codesOf({ wzCode: '43210', kind: 'handel' })).toEqual([]);
    expect(codesOf({ wzCode: '96021', kind: 'sonstiges' })).toEqual([]);
  });

  it('does not treat taxis (PBefG), road haulage or IT services as GewO-regulated', () => {
    expect(codesOf({ wzCode: '49320', kind: 'sonstiges' })).toEqual([]);
    expect(codesOf({ wzCode: '49410', kind: 'sonstiges' })).toEqual([]);
    expect(codesOf({ wzCode: '62019', kind: 'sonstiges' })).toEqual([]);
    expect(codesOf({ wzCode: '56101', kind: 'sonstiges' })).toEqual([]);
  });

  it('takes the declared ground with its catalogue title and keeps WZ grounds of other codes', () => {
    const result = classifyGewerbe(request({ regulatedActivity: '34c', wzCode: '45110' }));
    expect(result.grounds).toEqual([
      { code: '34c', source: 'declared', title: expect.stringContaining('Makler'), legalBasis: '§ 34c GewO', kind: 'permit' },
      { code: '38', source: 'wz', title: 'An- und Verkauf von Kraftfahrzeugen', legalBasis: '§ 38 Abs. 1 Satz 1 Nr. 1 Buchst. b GewO', kind: 'reliability' },
    ]);
  });

  it('does not repeat a WZ ground the applicant already declared', () => {
    expect(codesOf({ regulatedActivity: 'gastg', wzCode: '56301' })).toEqual(['declared:gastg']);
    expect(codesOf({ regulatedActivity: '38', wzCode: '80300' })).toEqual(['declared:38']);
  });

  it('accepts a declaration for a trade the WZ code does not reveal', () => {
    const result = classifyGewerbe(request({ regulatedActivity: '34', wzCode: '47910' }));
    expect(result).toEqual({
      regulated: true,
      grounds: [{ code: '34', source: 'declared', title: 'Pfandleihgewerbe', legalBasis: '§ 34 GewO', kind: 'permit' }],
    });
  });

  it('keys every WZ rule on a real division, and on listed subclasses where the division is checked in full', () => {
    expect(Object.keys(WZ_DIVISIONS)).toHaveLength(88);
    for (const rule of WZ_GROUND_RULES) {
      const division = rule.prefix.slice(0, 2);
      expect(WZ_DIVISIONS[division]).toBeDefined();
      if (STRICT_DIVISIONS.has(division)) {
        expect(Object.keys(WZ_SUBCLASSES).some((code) => code.startsWith(rule.prefix))).toBe(true);
      }
    }
    for (const code of Object.keys(WZ_SUBCLASSES)) expect(WZ_DIVISIONS[code.slice(0, 2)]).toBeDefined();
  });
});
