/**
 * The case file's vocabulary. The external statuses are those of the federal citizen mailbox
 * (FIM/OZG "Statusmonitor"): what a citizen sees. Processes keep their own finer internal states and
 * map them onto these. Pure TypeScript, safe in workflows.
 */
export const EXTERNAL_STATUSES = ['SUBMITTED', 'RECEIVED', 'PROCESSING', 'ACTION_REQUIRED', 'COMPLETED', 'WITHDRAWN'] as const;
export type ExternalStatus = (typeof EXTERNAL_STATUSES)[number];

/** Final statuses: nothing happens to the case afterwards except retention and erasure. */
export const FINAL_STATUSES: readonly ExternalStatus[] = ['COMPLETED', 'WITHDRAWN'];

export function isExternalStatus(value: unknown): value is ExternalStatus {
  return typeof value === 'string' && (EXTERNAL_STATUSES as readonly string[]).includes(value);
}

/** Who may read a timeline entry: the citizen (and staff), or staff only. */
export const AUDIENCES = ['citizen', 'internal'] as const;
export type Audience = (typeof AUDIENCES)[number];

/** German default texts for each external status, used when a process gives none of its own. */
export const STATUS_TEXT_DE: Record<ExternalStatus, string> = {
  SUBMITTED: 'Ihr Antrag ist bei uns eingegangen.',
  RECEIVED: 'Ihr Antrag wurde angenommen und wird geprüft.',
  PROCESSING: 'Ihr Antrag wird bearbeitet.',
  ACTION_REQUIRED: 'Bitte werden Sie tätig: Wir benötigen etwas von Ihnen.',
  COMPLETED: 'Ihr Antrag ist abgeschlossen.',
  WITHDRAWN: 'Sie haben Ihren Antrag zurückgenommen.',
};
