/** A valid Anmeldung (the API.md example with its "…" filled in), for the specs of this folder. */
import type { GewerbeanmeldungInput } from './schema';

/** "Today" of the specs: the example's start date 2027-01-01 lies one month ahead. */
export const SPEC_TODAY = '2026-12-01';

export function validAnmeldung(): GewerbeanmeldungInput {
  return {
    owner: {
      givenName: 'Erika',
      familyName: 'Mustermann',
      birthDate: '1985-03-14',
      birthPlace: 'Leipzig',
      nationality: 'DE',
      email: 'erika.mustermann@example.org',
      address: { street: 'Heidestraße 17', postalCode: '51147', city: 'Köln' },
    },
    business: {
      name: 'Bücherstube Mustermann',
      legalForm: 'Einzelunternehmen',
      address: { street: 'Karl-Marx-Allee 1', postalCode: '10178', city: 'Berlin' },
      activity: 'Online-Handel mit Büchern',
      wzCode: '47910',
      kind: 'handel',
      startDate: '2027-01-01',
      employeesFullTime: 0,
      employeesPartTime: 1,
      establishment: 'hauptniederlassung',
      sideBusiness: false,
      regulatedActivity: null,
    },
    reason: 'neugruendung',
  };
}
