/**
 * Contract of the Bewohnerparkausweis process (residents' parking permit, one of Berlin's online
 * services): what the API (apps/api/src/applications) and the workflow share. The process speaks
 * only the shared case messages (workflows/shared/case.contract.ts): submissionReceiptUpdate
 * (update-with-start), withdrawUpdate, completeTaskUpdate, documentUploadedSignal,
 * identityUpgradedSignal and caseStageQuery. No I/O here: the workflow sandbox imports it too.
 *
 * Choices (see also docs/bewohnerparken.md):
 * - Level of assurance `substantiell`: the permit is issued to a person for their registered
 *   address; a `basis` login (an account without verified identity) cannot show that the applicant
 *   is the resident. A lower login is accepted and the case asks for eID identification.
 * - The vehicle registration (Zulassungsbescheinigung Teil I) is always requested — the permit
 *   register needs the holder and the registration number from it; when the car is not registered
 *   to the applicant, proof of permanent use (employer's certificate, leasing contract) as well.
 * - The fee (Berlin: 10,20 € for two years) is left out of this reference process; Gewerbeanmeldung
 *   shows the payment building block.
 */
import { TASK_QUEUES } from '../../libs/domain/src/task-queues';
import type { TrustLevel } from '../../libs/domain/src/identity';
import type { FormSchema } from '../../libs/domain/src/tasks/form-schema';

export { caseWorkflowId } from '../shared/case.contract';

export const BEWOHNERPARKEN_WORKFLOW_TYPE = 'bewohnerparkenWorkflow';
export const BEWOHNERPARKEN_TASK_QUEUE = TASK_QUEUES.platform;
export const BEWOHNERPARKEN_CASE_TYPE = 'bewohnerparken' as const;

/** The level of assurance this process needs (see above). */
export const BEWOHNERPARKEN_TRUST_LEVEL: TrustLevel = 'substantiell';

/** The caseworker group (Straßenverkehrsbehörde / Parkraumbewirtschaftung) and where overdue reviews go. */
export const BEWOHNERPARKEN_GROUP = 'parken';
export const BEWOHNERPARKEN_ESCALATION_GROUP = 'parken-leitung';

/** ISO 8601 durations of the process. */
export const BEWOHNERPARKEN_TIMING = {
  documentDeadline: 'P14D',
  documentReminder: 'P7D',
  reviewDueIn: 'P5D',
  /** A permit is issued for at most two years. */
  permitValidity: 'P2Y',
} as const;

/** The Fachverfahren that issues permits (libs/fachverfahren registry name) and the submission kind. */
export const BEWOHNERPARKEN_FACHVERFAHREN = { adapter: 'parkausweis', kind: 'bewohnerparkausweis', step: 'permit' } as const;

export const BEWOHNERPARKEN_DOCUMENTS = {
  vehicleRegistration: {
    kind: 'vehicle-registration',
    text: 'Zulassungsbescheinigung Teil I (Fahrzeugschein) des Fahrzeugs, für das der Ausweis gelten soll',
  },
  usePermission: {
    kind: 'vehicle-use-permission',
    text: 'Nachweis, dass Sie das Fahrzeug dauerhaft nutzen dürfen (z. B. Bescheinigung des Arbeitgebers oder Leasingvertrag), da es nicht auf Sie zugelassen ist',
  },
} as const;

export interface BewohnerparkenApplicant {
  givenName: string;
  familyName: string;
  email: string;
  address: { street: string; postalCode: string; city: string };
}

export interface BewohnerparkenVehicle {
  /** German registration number, normalised by the API: `B-AB 1234`. */
  licensePlate: string;
  registeredToApplicant: boolean;
}

export interface BewohnerparkenInput {
  /** Chosen by the API (deriveCaseId); the workflow id is caseWorkflowId(caseId). */
  caseId: string;
  /** The applicant's pseudonymous subject: owner of the case. */
  ownerSub: string;
  applicant: BewohnerparkenApplicant;
  vehicle: BewohnerparkenVehicle;
  /** The parking zone of the applicant's address, e.g. "Zone 31". */
  zone: string;
  /** The level of assurance of the login the application was submitted with. */
  trustLevel: TrustLevel;
}

export type BewohnerparkenOutcome = 'approved' | 'rejected' | 'withdrawn';

export interface BewohnerparkenResult {
  caseId: string;
  caseNumber: string;
  outcome: BewohnerparkenOutcome;
  permitNumber?: string;
  validFrom?: string;
  validUntil?: string;
}

/** Where the process stands (caseStageQuery; staff and tests only). */
export type BewohnerparkenStage = 'opening' | 'identification' | 'documents' | 'review' | 'issuing' | 'approved' | 'rejected' | 'withdrawn';

/**
 * The caseworker's decision form. `reason` belongs to a rejection; the form schema of a human task
 * cannot depend on the outcome, so a rejection without one tells the citizen a generic reason
 * (BEWOHNERPARKEN_DEFAULT_REJECTION).
 */
export const BEWOHNERPARKEN_REVIEW_FORM: FormSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    reason: {
      type: 'string',
      minLength: 1,
      maxLength: 2000,
      title: 'Begründung',
      description: 'Pflicht bei Ablehnung; wird der antragstellenden Person mitgeteilt.',
    },
    validUntil: {
      type: 'string',
      pattern: '^\\d{4}-\\d{2}-\\d{2}$',
      title: 'Gültig bis',
      description: 'Optional (JJJJ-MM-TT); ohne Angabe zwei Jahre ab heute.',
    },
    note: { type: 'string', maxLength: 2000, title: 'Interner Vermerk', description: 'Nur für die Akte, nicht für die antragstellende Person.' },
  },
};

export const BEWOHNERPARKEN_DEFAULT_REJECTION = 'Die Voraussetzungen für einen Bewohnerparkausweis in dieser Zone liegen nicht vor.';

/** The form of the operator task when the permit register refuses or is unreachable. */
export const BEWOHNERPARKEN_PERMIT_FAILURE_FORM: FormSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    reason: { type: 'string', minLength: 1, maxLength: 2000, title: 'Begründung', description: 'Pflicht bei Ablehnung; wird der antragstellenden Person mitgeteilt.' },
    note: { type: 'string', maxLength: 2000, title: 'Interner Vermerk' },
  },
};
