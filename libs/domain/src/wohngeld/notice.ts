/**
 * The content of a Wohngeld notice (Bescheid) as a letter: the figures, the legal basis and the
 * Rechtsbehelfsbelehrung. Pure — libs/documents renders it to PDF (renderLetterPdf) and the
 * issueLetter activity files and mails it.
 *
 * Kinds:
 * - `approval`: Bewilligung — amount, period (§ 25 WoGG), the calculation, duties (§ 27 WoGG).
 * - `rejection`: Ablehnung — the reason, the calculation when there is one (e.g. § 21 Nr. 1 WoGG).
 * - `denial`: Versagung for lack of cooperation (§ 66 Abs. 1 SGB I) — which proofs, which deadline,
 *   and that the benefit can still be granted when the proofs follow (§ 67 SGB I).
 * - `change`: Änderungsbescheid after a change report (§ 27 Abs. 2 WoGG) — new amount from when.
 */
import { Decimal } from 'decimal.js';
import { formatBerlinDate } from '../berlin-time';
import type { Letter, LetterBlock } from '../letter';

/** The notice as a letter (libs/domain/src/letter.ts). */
export type WohngeldLetter = Letter;
type WohngeldLetterBlock = LetterBlock;

/** The figures of the calculation the notice rests on (from calculateWohngeld). */
export interface WohngeldNoticeFigures {
  householdMembers: number;
  countedMembers: number;
  /** Y, €/month. */
  monthlyIncome: number;
  housingKind: 'miete' | 'belastung';
  /** The rent or burden stated, €/month. */
  actualHousingCost: number;
  /** M, €/month. */
  consideredRent: number;
  mietstufeRoman: string;
  /** What § 19 WoGG gives, whole euros (0 when nothing is paid). */
  calculatedAmount: number;
}

export type WohngeldNoticeKind = 'approval' | 'rejection' | 'denial' | 'change';

export interface WohngeldNoticeInput {
  kind: WohngeldNoticeKind;
  caseNumber: string;
  /** The notice's date, YYYY-MM-DD. */
  date: string;
  /** YYYY-MM-DD: when the application arrived. */
  applicationDate: string;
  office: { name: string; addressLines: string[] };
  recipient: { givenName: string; familyName: string; address: { street: string; postalCode: string; city: string } };
  figures?: WohngeldNoticeFigures;
  /** approval, change: the monthly amount granted (whole euros). */
  monthlyAmount?: number;
  /** approval, change: the period (YYYY-MM-DD). */
  approvalFrom?: string;
  approvalTo?: string;
  /** approval: the caseworker set the amount by hand; why. */
  changedByHandReason?: string;
  /** rejection, denial: why. */
  reason?: string;
  /** denial: what was asked for and until when (YYYY-MM-DD). */
  missingProofs?: string[];
  proofDeadline?: string;
  /** change: from when the new amount applies, the amount before and the date of the report (YYYY-MM-DD). */
  effectiveFrom?: string;
  previousMonthlyAmount?: number;
  reportDate?: string;
  /** Last four characters of the IBAN the payments go to (never the whole IBAN in a letter). */
  ibanEnding?: string;
}

/** "1.234,56 €" — German notation, two decimals (whole euros without ",00" would look like an estimate). */
export function formatEuro(amount: number): string {
  const [int, frac] = new Decimal(amount).toFixed(2).split('.') as [string, string];
  const negative = int.startsWith('-');
  const digits = negative ? int.slice(1) : int;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${negative ? '-' : ''}${grouped},${frac} €`;
}

/** "1. Dezember 2026" for a calendar date YYYY-MM-DD. */
export function formatDateDe(isoDate: string): string {
  return formatBerlinDate(new Date(`${isoDate}T12:00:00Z`));
}

const TITLES: Record<WohngeldNoticeKind, string> = {
  approval: 'Bescheid über Wohngeld',
  rejection: 'Bescheid über die Ablehnung von Wohngeld',
  denial: 'Bescheid über die Versagung von Wohngeld',
  change: 'Änderungsbescheid über Wohngeld',
};

const LEGAL_BASIS: Record<WohngeldNoticeKind, string> = {
  approval: '§§ 1, 3 bis 5, 11 bis 19, 24 bis 26 Wohngeldgesetz (WoGG) in der seit 1. Januar 2025 geltenden Fassung (BGBl. 2024 I Nr. 314).',
  rejection: '§§ 1, 3 bis 5, 11 bis 19, 21 und 24 Wohngeldgesetz (WoGG) in der seit 1. Januar 2025 geltenden Fassung (BGBl. 2024 I Nr. 314).',
  denial: '§§ 60, 66 Abs. 1 und 3, § 67 Erstes Buch Sozialgesetzbuch (SGB I) in Verbindung mit § 23 Wohngeldgesetz (WoGG).',
  change: '§ 27 Abs. 2 und 3 Wohngeldgesetz (WoGG) in Verbindung mit § 48 Zehntes Buch Sozialgesetzbuch (SGB X); §§ 11 bis 19 WoGG.',
};

function figuresTable(f: WohngeldNoticeFigures): [string, string][] {
  const housing = f.housingKind === 'miete' ? 'Bruttokaltmiete laut Antrag' : 'Belastung laut Antrag';
  return [
    ['Haushaltsmitglieder', f.countedMembers === f.householdMembers ? String(f.householdMembers) : `${f.householdMembers}, davon ${f.countedMembers} zu berücksichtigen (§ 11 Abs. 3 WoGG)`],
    ['Monatliches Gesamteinkommen (§§ 13 bis 18 WoGG)', formatEuro(f.monthlyIncome)],
    [housing, formatEuro(f.actualHousingCost)],
    [`Zu berücksichtigende ${f.housingKind === 'miete' ? 'Miete' : 'Belastung'} (§§ 11, 12 WoGG, Mietstufe ${f.mietstufeRoman})`, formatEuro(f.consideredRent)],
    ['Wohngeld nach § 19 WoGG (gerundet)', formatEuro(f.calculatedAmount)],
  ];
}

function appealInstructions(office: { name: string; addressLines: string[] }): WohngeldLetterBlock[] {
  return [
    { kind: 'heading', text: 'Rechtsbehelfsbelehrung' },
    {
      kind: 'paragraph',
      text:
        'Gegen diesen Bescheid kann innerhalb eines Monats nach seiner Bekanntgabe Widerspruch erhoben werden. ' +
        `Der Widerspruch ist schriftlich, in elektronischer Form (§ 36a Abs. 2 SGB I) oder zur Niederschrift beim ${office.name}, ${office.addressLines.join(', ')}, zu erheben.`,
    },
  ];
}

/** The notice as a letter (see the module comment). Throws when a figure the kind needs is missing. */
export function wohngeldNoticeLetter(n: WohngeldNoticeInput): WohngeldLetter {
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`wohngeldNoticeLetter(${n.kind}): ${what} is required`);
    return v;
  };
  const name = `${n.recipient.givenName} ${n.recipient.familyName}`;
  const applied = formatDateDe(n.applicationDate);
  const blocks: WohngeldLetterBlock[] = [{ kind: 'paragraph', text: `Guten Tag ${name},` }];
  const zuschuss = n.figures?.housingKind === 'belastung' ? 'Lastenzuschuss' : 'Mietzuschuss';

  switch (n.kind) {
    case 'approval': {
      const amount = need(n.monthlyAmount, 'monthlyAmount');
      const from = formatDateDe(need(n.approvalFrom, 'approvalFrom'));
      const to = formatDateDe(need(n.approvalTo, 'approvalTo'));
      const f = need(n.figures, 'figures');
      blocks.push(
        { kind: 'paragraph', text: `auf Ihren Antrag vom ${applied} bewilligen wir Ihnen Wohngeld als ${zuschuss} in Höhe von ${formatEuro(amount)} monatlich für die Zeit vom ${from} bis ${to}.` },
        { kind: 'heading', text: 'Berechnung' },
        { kind: 'table', rows: [...figuresTable(f), ['Bewilligtes Wohngeld monatlich', formatEuro(amount)], ['Bewilligungszeitraum (§ 25 WoGG)', `${from} bis ${to}`]] },
      );
      if (n.changedByHandReason !== undefined && amount !== f.calculatedAmount) {
        blocks.push({ kind: 'paragraph', text: `Abweichend von der rechnerischen Ermittlung (${formatEuro(f.calculatedAmount)}) setzen wir das Wohngeld auf ${formatEuro(amount)} monatlich fest. Begründung: ${n.changedByHandReason}` });
      }
      blocks.push(
        { kind: 'heading', text: 'Auszahlung' },
        { kind: 'paragraph', text: `Das Wohngeld wird monatlich im Voraus auf Ihr Konto${n.ibanEnding ? ` mit der IBAN-Endung ${n.ibanEnding}` : ''} überwiesen. Beträge für zurückliegende Monate des Bewilligungszeitraums zahlen wir mit der ersten Zahlung nach.` },
        { kind: 'heading', text: 'Ihre Mitteilungspflichten' },
        {
          kind: 'paragraph',
          text:
            'Bitte teilen Sie uns unverzüglich mit, wenn sich während des Bewilligungszeitraums das Gesamteinkommen Ihres Haushalts um mehr als 15 Prozent erhöht, ' +
            'die Miete um mehr als 15 Prozent sinkt oder Haushaltsmitglieder ausziehen (§ 27 WoGG). Zu Unrecht erhaltenes Wohngeld muss erstattet werden.',
        },
        { kind: 'paragraph', text: `Wohngeld wird nur auf Antrag weitergezahlt. Stellen Sie Ihren Weiterleistungsantrag bitte rechtzeitig vor dem ${to}; wir erinnern Sie zwei Monate vorher daran.` },
      );
      break;
    }
    case 'rejection': {
      const reason = need(n.reason, 'reason');
      blocks.push({ kind: 'paragraph', text: `Ihren Antrag vom ${applied} auf Wohngeld lehnen wir ab.` }, { kind: 'heading', text: 'Begründung' }, { kind: 'paragraph', text: reason });
      if (n.figures) blocks.push({ kind: 'heading', text: 'Berechnung' }, { kind: 'table', rows: figuresTable(n.figures) });
      break;
    }
    case 'denial': {
      const missing = need(n.missingProofs, 'missingProofs');
      const deadline = formatDateDe(need(n.proofDeadline, 'proofDeadline'));
      blocks.push(
        { kind: 'paragraph', text: `das mit Ihrem Antrag vom ${applied} beantragte Wohngeld versagen wir nach § 66 Abs. 1 SGB I bis zur Nachholung Ihrer Mitwirkung.` },
        { kind: 'heading', text: 'Begründung' },
        {
          kind: 'paragraph',
          text:
            `Wir haben Sie gebeten, uns bis zum ${deadline} folgende Nachweise vorzulegen, und Sie auf die Folgen einer fehlenden Mitwirkung hingewiesen: ${missing.join('; ')}. ` +
            'Diese Nachweise liegen uns nicht vor. Ohne sie können wir nicht feststellen, ob und in welcher Höhe Ihnen Wohngeld zusteht.' +
            (n.reason ? ` ${n.reason}` : ''),
        },
        { kind: 'paragraph', text: 'Reichen Sie die Nachweise nach, können wir das Wohngeld nachträglich ganz oder teilweise erbringen (§ 67 SGB I). Sie können auch jederzeit einen neuen Antrag stellen.' },
      );
      break;
    }
    case 'change': {
      const amount = need(n.monthlyAmount, 'monthlyAmount');
      const previous = need(n.previousMonthlyAmount, 'previousMonthlyAmount');
      const effective = formatDateDe(need(n.effectiveFrom, 'effectiveFrom'));
      const to = formatDateDe(need(n.approvalTo, 'approvalTo'));
      const reported = formatDateDe(need(n.reportDate, 'reportDate'));
      const f = need(n.figures, 'figures');
      blocks.push(
        {
          kind: 'paragraph',
          text:
            amount > 0
              ? `nach Ihrer Mitteilung vom ${reported} über die Erhöhung Ihres Einkommens setzen wir Ihr Wohngeld ab dem ${effective} neu fest: ${formatEuro(amount)} monatlich (bisher ${formatEuro(previous)}) bis zum Ende des Bewilligungszeitraums am ${to}.`
              : `nach Ihrer Mitteilung vom ${reported} über die Erhöhung Ihres Einkommens steht Ihnen ab dem ${effective} kein Wohngeld mehr zu (bisher ${formatEuro(previous)} monatlich). Die Bewilligung heben wir ab diesem Tag auf.`,
        },
        { kind: 'heading', text: 'Neue Berechnung' },
        { kind: 'table', rows: [...figuresTable(f), ['Wohngeld monatlich ab ' + effective, formatEuro(amount)]] },
        { kind: 'paragraph', text: 'Die übrigen Regelungen des Bewilligungsbescheids gelten weiter.' },
      );
      break;
    }
  }

  blocks.push({ kind: 'heading', text: 'Rechtsgrundlagen' }, { kind: 'paragraph', text: LEGAL_BASIS[n.kind] }, ...appealInstructions(n.office));
  blocks.push({ kind: 'paragraph', text: 'Mit freundlichen Grüßen\nIhre Wohngeldstelle\n\nDieser Bescheid wurde elektronisch erstellt und ist ohne Unterschrift gültig.' });

  return {
    title: TITLES[n.kind],
    office: { name: n.office.name, addressLines: [...n.office.addressLines] },
    recipient: { name, addressLines: [n.recipient.address.street, `${n.recipient.address.postalCode} ${n.recipient.address.city}`] },
    reference: n.caseNumber,
    date: n.date,
    subject: `Wohngeld – Ihr Antrag vom ${applied}, Aktenzeichen ${n.caseNumber}`,
    blocks,
  };
}
