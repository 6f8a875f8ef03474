import { createHash } from 'node:crypto';
import { ApplicationFailure, activityInfo, log } from '@temporalio/activity';
import { buildRecipientMessage, classifyGewerbe, recipientsFor } from '../../libs/domain/src/gewerbe';
import type { GewerbeanmeldungRequest, Recipient, RecipientId, RegulatedGround } from '../../libs/domain/src/gewerbe';
import { createAdapterRegistry } from '../../libs/fachverfahren/src/registry';
import { PgAdapterCallStore } from '../../libs/fachverfahren/src/stores';
import type { ActivityDeps } from '../deps';
import { createFachverfahrenActivities } from '../fachverfahren';
import { beginDeliveryAttempt, markAttemptFailed, markDelivered } from './deliveries-store';
import { deliveryMessageId } from './message-id';

export { deliveryMessageId, uuidV5 } from './message-id';
export { listDeliveries } from './deliveries-store';
export type { RecipientDeliveryRow } from './deliveries-store';

/** Only `anmeldung` exists so far (see workflows/gewerbe/gewerbeanmeldung.contract.ts). */
type GewerbeForm = 'anmeldung' | 'ummeldung' | 'abmeldung';

export interface AssessGewerbeInput {
  form: GewerbeForm;
  request: GewerbeanmeldungRequest;
}

export interface GewerbeAssessmentResult {
  regulated: boolean;
  grounds: RegulatedGround[];
  recipients: Recipient[];
}

export interface DeliverRecipientMessageInput {
  caseId: string;
  caseNumber: string;
  form: GewerbeForm;
  recipient: Recipient;
  request: GewerbeanmeldungRequest;
  /** When the Gewerberegister entry was made (ISO 8601). */
  registeredAt: string;
  /** The message's creation time (the workflow's clock at the start of the deliveries), so every attempt builds the same XML. */
  createdAt: string;
  /** Amtlicher Gemeindeschlüssel of the sending authority. */
  authorityKey: string;
  /** The adapter that transports the message (default gewo14). */
  adapter?: string;
}

export interface DeliverRecipientMessageResult {
  recipient: RecipientId;
  messageId: string;
  /** The transport's id of the delivery. */
  externalId: string;
  xmlSha256: string;
  attempts: number;
}

export interface MarkDeliveryFailedInput {
  caseId: string;
  form: GewerbeForm;
  recipient: RecipientId;
  /** A code or the failure type, never a message with personal data. */
  error: string;
}

const DELIVERY_KIND = 'gewo14-delivery';

/** The failure type a workflow sees when the XML could not be built (a bug or a rule the recipient matrix forbids): not retried. */
export const GEWERBE_FAILURES = { messageInvalid: 'GEWERBE_MESSAGE_INVALID' } as const;

/**
 * The Gewerbeanmeldung's activities (the process is workflows/gewerbe):
 * - assessGewerbeanmeldung: classification (regulated trade?) and the § 14 recipients, from the pure
 *   rules of libs/domain/src/gewerbe. Run as an activity on purpose: the rules follow the law and
 *   change; the answer recorded in history keeps a running case on the rules it started with
 *   (replay stays deterministic after a deployment).
 * - deliverRecipientMessage: builds the recipient's XGewerbeanzeige-style message (only the fields
 *   GewAnzV § 3 allows it) and delivers it through the transport adapter (`gewo14`), idempotent by
 *   a message id stable per case + form + recipient. The XML is built inside the activity, so it
 *   never enters the workflow history; recipient_deliveries keeps status, attempts and the XML's
 *   SHA-256, not the XML.
 * - markRecipientDeliveryFailed: the workflow's retries are exhausted.
 */
export function createGewerbeActivities(deps: ActivityDeps) {
  const registry = deps.fachverfahren ?? createAdapterRegistry(deps.config);
  const fv = createFachverfahrenActivities({ registry, calls: new PgAdapterCallStore(deps.pool) });

  return {
    async assessGewerbeanmeldung(input: AssessGewerbeInput): Promise<GewerbeAssessmentResult> {
      if (input.form !== 'anmeldung') {
        throw ApplicationFailure.create({ type: 'GEWERBE_FORM_UNSUPPORTED', message: `The form "${input.form}" is not supported yet.`, nonRetryable: true });
      }
      const { regulated, grounds } = classifyGewerbe(input.request);
      const recipients = recipientsFor(input.request, grounds);
      return { regulated, grounds, recipients };
    },

    async deliverRecipientMessage(input: DeliverRecipientMessageInput): Promise<DeliverRecipientMessageResult> {
      const { caseId, recipient, form } = input;
      const info = activityInfo();
      const messageId = deliveryMessageId(caseId, form, recipient.id);
      let xml: string;
      try {
        xml = buildRecipientMessage(recipient, input.request, {
          caseNumber: input.caseNumber,
          registeredAt: input.registeredAt,
          messageId,
          createdAt: input.createdAt,
          authorityKey: input.authorityKey,
        });
      } catch (e) {
        throw ApplicationFailure.create({ type: GEWERBE_FAILURES.messageInvalid, message: `message for ${recipient.id} could not be built: ${(e as Error).name}`, nonRetryable: true });
      }
      const xmlSha256 = createHash('sha256').update(xml, 'utf8').digest('hex');
      const row = await beginDeliveryAttempt(deps.pool, { messageId, caseId, recipient: recipient.id, messageType: recipient.messageType, form, xmlSha256, attempt: info.attempt });
      if (row.status === 'delivered' && row.externalId) {
        return { recipient: recipient.id, messageId, externalId: row.externalId, xmlSha256: row.xmlSha256, attempts: row.attempts };
      }
      try {
        const receipt = await fv.fvSubmit({
          adapter: input.adapter ?? 'gewo14',
          caseId,
          // one step per recipient (and form): the adapter's idempotency key, so a retry is one delivery
          step: `${DELIVERY_KIND}:${form}:${recipient.id}`,
          kind: DELIVERY_KIND,
          payload: { recipient: recipient.id, messageId, messageType: recipient.messageType, message: xml },
        });
        const done = await markDelivered(deps.pool, messageId, receipt.externalId);
        log.info('§ 14 delivery delivered', { caseId, recipient: recipient.id, messageId, attempts: done.attempts, xmlSha256 });
        return { recipient: recipient.id, messageId, externalId: receipt.externalId, xmlSha256, attempts: done.attempts };
      } catch (e) {
        const code = e instanceof ApplicationFailure && e.type ? e.type : e instanceof Error ? e.name : 'ERROR';
        await markAttemptFailed(deps.pool, messageId, code, 'retrying').catch(() => undefined);
        log.warn('§ 14 delivery attempt failed', { caseId, recipient: recipient.id, messageId, attempt: info.attempt, failure: code });
        throw e;
      }
    },

    async markRecipientDeliveryFailed(input: MarkDeliveryFailedInput): Promise<{ messageId: string }> {
      const messageId = deliveryMessageId(input.caseId, input.form, input.recipient);
      await markAttemptFailed(deps.pool, messageId, input.error, 'failed');
      return { messageId };
    },
  };
}

export type GewerbeActivities = ReturnType<typeof createGewerbeActivities>;
