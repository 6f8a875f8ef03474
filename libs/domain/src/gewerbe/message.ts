/**
 * XGewerbeanzeige-style XML message for one recipient (reference "Data exchange standard"): a
 * header (message UUID, type, creation time, reader = the recipient, author with the authority
 * key) and one record named after the form (`anmeldung`, later `ummeldung` / `abmeldung`) holding
 * only the fields GewAnzV § 3 allows that recipient. Each field is a named element carrying its
 * form field number (`feld="18"`), so the receiving side — and our tests — can check the filter
 * without knowing our element names. Statistics' auxiliary characteristics are marked
 * `hilfsmerkmal="true"` (they may only be used to organise the survey).
 *
 * The element names follow the form, not the official XGewerbeanzeige schema (whose code lists and
 * XSD are not wired in yet); the namespace says so. Pure code (xmlbuilder2 builds in memory).
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';

import { ANLAGE1_FIELDS, anlage1Fields } from './anlage1-fields';
import type { Anlage1FieldInfo } from './anlage1-fields';
import { auxiliaryFieldsFor, fieldsAllowedFor } from './recipients';
import type { GewerbeFormKind, Recipient } from './recipients';
import type { GewerbeanmeldungRequest } from './schema';

export const GEWERBEMELDUNG_NAMESPACE = 'urn:de:berlin:amtsweg:gewerbemeldung:1';

export interface GewerbeMessageMeta {
  /** Case number of the Anzeige (Aktenzeichen). */
  caseNumber: string;
  /** When the complete Anzeige was received (ISO 8601). */
  registeredAt: string;
  /** UUID of this message; stable per (case, recipient) so a retried delivery is recognisable. */
  messageId: string;
  /** When the message was built (ISO 8601). */
  createdAt: string;
  /** Authority key of the sending Gewerbeamt (author). */
  authorityKey: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function appendValue(parent: XMLBuilder, name: string, value: unknown, attributes: Record<string, string> = {}): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) appendValue(parent, name, item, attributes);
    return;
  }
  const el = parent.ele(name, attributes);
  if (typeof value === 'object') {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) appendValue(el, key, child);
  } else {
    el.txt(String(value));
  }
}

/** The message for any form, given that form's field values and element table. */
export function buildGewerbeMessage(
  recipient: Recipient,
  record: { form: GewerbeFormKind; fields: Record<number, unknown>; fieldInfo: readonly Anlage1FieldInfo[] },
  meta: GewerbeMessageMeta,
): string {
  if (!UUID.test(meta.messageId)) throw new Error('messageId must be a UUID');
  const allowed = fieldsAllowedFor(recipient.id, record.form);
  if (allowed.size === 0) throw new Error(`GewAnzV § 3 gives ${recipient.id} no field of the ${record.form} form`);
  const auxiliary = auxiliaryFieldsFor(recipient.id, record.form);

  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(GEWERBEMELDUNG_NAMESPACE, recipient.messageType);
  const head = root.ele('nachrichtenkopf');
  head.ele('nachrichtUUID').txt(meta.messageId);
  head.ele('nachrichtentyp').txt(recipient.messageType);
  head.ele('erstellungszeitpunkt').txt(meta.createdAt);
  const reader = head.ele('leser');
  reader.ele('kennung').txt(recipient.id);
  reader.ele('name').txt(recipient.name);
  head.ele('autor').ele('behoerdenschluessel').txt(meta.authorityKey);

  const body = root.ele(record.form, { aktenzeichen: meta.caseNumber, eingegangenAm: meta.registeredAt });
  for (const info of record.fieldInfo) {
    if (!allowed.has(info.no)) continue;
    const attributes: Record<string, string> = { feld: String(info.no) };
    if (auxiliary.has(info.no)) attributes['hilfsmerkmal'] = 'true';
    appendValue(body, info.element, record.fields[info.no], attributes);
  }
  return root.end({ prettyPrint: true });
}

/** The Anmeldung (Anlage 1) message for one recipient, with only the fields it may receive. */
export function buildRecipientMessage(recipient: Recipient, req: GewerbeanmeldungRequest, meta: GewerbeMessageMeta): string {
  return buildGewerbeMessage(
    recipient,
    { form: 'anmeldung', fields: anlage1Fields(req, meta), fieldInfo: ANLAGE1_FIELDS },
    meta,
  );
}
