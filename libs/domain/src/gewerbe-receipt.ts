/**
 * The Empfangsbescheinigung (§ 15 Abs. 1 GewO) of a Gewerbeanmeldung as letter data: a pure
 * function, so the workflow composes it deterministically and the issueLetter activity
 * (activities/documents) renders, stores and mails it. German, as the office writes it.
 */
import type { Letter } from './letter';
import type { GewerbeanmeldungRequest } from './gewerbe';

export interface GewerbeReceiptFacts {
  caseNumber: string;
  /** The Gewerberegister's number of the entry. */
  registerNumber: string;
  /** When the complete Anzeige was received (ISO 8601). */
  receivedAt: string;
  /** The letter's date, YYYY-MM-DD (Berlin). */
  date: string;
  /** Euros with two decimals, e.g. "15.00". */
  feePaid: string;
  /** Regulated trades the caseworker approved: named, because the receipt is not the permit. */
  regulatedGrounds: Array<{ title: string; legalBasis: string }>;
  office: { name: string; addressLines: string[] };
}

const KIND: Record<string, string> = { industrie: 'Industrie', handwerk: 'Handwerk', handel: 'Handel', sonstiges: 'Sonstiges' };
const ESTABLISHMENT: Record<string, string> = {
  hauptniederlassung: 'Hauptniederlassung',
  zweigniederlassung: 'Zweigniederlassung',
  unselbststaendige_zweigstelle: 'Unselbstständige Zweigstelle',
};

/** `2027-01-01` → `01.01.2027`. */
function date(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${d}.${m}.${y}`;
}

/** "15.00" → "15,00 €". */
function euros(amount: string): string {
  return `${amount.replace('.', ',')} €`;
}

type Address = { street: string; postalCode: string; city: string };
const lines = (a: Address): string[] => [a.street, `${a.postalCode} ${a.city}`];

export function gewerbeReceiptFileName(caseNumber: string): string {
  return `Empfangsbescheinigung-${caseNumber}.pdf`;
}

export function gewerbeReceiptLetter(req: GewerbeanmeldungRequest, facts: GewerbeReceiptFacts): Letter {
  const owner = req.owner as { givenName: string; familyName: string; address: Address };
  const business = req.business as {
    name: string;
    legalForm: string;
    address: Address;
    activity: string;
    kind: string;
    startDate: string;
    establishment: string;
    sideBusiness: boolean;
  };
  const ownerName = `${owner.givenName} ${owner.familyName}`;
  const blocks: Letter['blocks'] = [
    {
      kind: 'paragraph',
      text:
        `Sehr geehrte(r) ${ownerName},\n\n` +
        `hiermit bestätigen wir nach § 15 Abs. 1 der Gewerbeordnung den Empfang Ihrer Gewerbeanmeldung (Anzeige nach § 14 GewO), ` +
        `die am ${date(facts.receivedAt)} vollständig bei uns eingegangen ist. Der Betrieb ist im Gewerberegister unter der Nummer ${facts.registerNumber} eingetragen.`,
    },
    { kind: 'heading', text: 'Angezeigter Betrieb' },
    {
      kind: 'table',
      rows: [
        ['Aktenzeichen', facts.caseNumber],
        ['Gewerberegister-Nr.', facts.registerNumber],
        ['Gewerbetreibende(r)', ownerName],
        ['Name des Betriebs', business.name],
        ['Rechtsform', business.legalForm],
        ['Betriebsstätte', lines(business.address).join(', ')],
        ['Angemeldete Tätigkeit', business.activity],
        ['Art des Betriebs', KIND[business.kind] ?? business.kind],
        ['Betriebsform', ESTABLISHMENT[business.establishment] ?? business.establishment],
        ['Nebenerwerb', business.sideBusiness ? 'ja' : 'nein'],
        ['Beginn der Tätigkeit', date(business.startDate)],
        ['Gebühr (online) bezahlt', euros(facts.feePaid)],
      ],
    },
  ];
  if (facts.regulatedGrounds.length > 0) {
    blocks.push({
      kind: 'paragraph',
      text:
        'Ihre Tätigkeit ist erlaubnis- oder überwachungsbedürftig (' +
        facts.regulatedGrounds.map((g) => `${g.title}, ${g.legalBasis}`).join('; ') +
        '). Diese Bescheinigung ersetzt keine Erlaubnis; halten Sie die Ihnen erteilte Erlaubnis bereit.',
    });
  }
  blocks.push(
    {
      kind: 'paragraph',
      text:
        'Die Empfangsbescheinigung ist keine Genehmigung. Wir geben die Angaben Ihrer Anzeige nach § 14 Abs. 8 GewO an die zuständigen Stellen weiter ' +
        '(z. B. Finanzamt, Industrie- und Handelskammer oder Handwerkskammer, Bundesagentur für Arbeit, Berufsgenossenschaft, Statistisches Landesamt), ' +
        'jeweils nur mit den Angaben, die die Gewerbeanzeigeverordnung der Stelle erlaubt.',
    },
    { kind: 'paragraph', text: 'Mit freundlichen Grüßen\nIhr Gewerbeamt\n\nDieses Schreiben wurde elektronisch erstellt und ist ohne Unterschrift gültig.' },
  );
  return {
    title: 'Empfangsbescheinigung',
    office: facts.office,
    recipient: { name: ownerName, addressLines: lines(owner.address) },
    reference: facts.caseNumber,
    date: facts.date,
    subject: `Empfangsbescheinigung über Ihre Gewerbeanmeldung (${business.name})`,
    blocks,
  };
}
