/**
 * Level of assurance (issue 3 item 4): each process declares the eID level it needs (`basis` <
 * `substantiell` < `hoch`); a citizen who applied with a weaker login is not turned away — the case
 * asks for stronger identification and waits:
 *
 *   await ensureTrustLevel({ caseId, have: input.trustLevel, need: 'substantiell', ownerSub: input.ownerSub });
 *
 * - `have` meets `need` (or an earlier upgrade in this workflow did): returns at once, nothing written.
 * - Otherwise: an open request of kind `identification` (details `{trustLevel: need}`, which
 *   POST /api/v1/cases/{caseId}/identity checks the caller's token against), a citizen timeline
 *   entry with status ACTION_REQUIRED ("Bitte identifizieren Sie sich mit der Online-Ausweisfunktion
 *   …"), mailed; then the workflow waits for `identityUpgradedSignal` carrying a level that meets
 *   `need` — from the case's owner when `ownerSub` is given. Lower levels are ignored (the citizen may
 *   try again). Then the request is fulfilled and the case goes back to PROCESSING.
 * - With `deadline`, an unanswered request expires and the outcome is `deadline_passed`; without,
 *   the case waits (a withdrawal cancels the wait: the request is then marked cancelled).
 */
import { CancellationScope, condition, isCancellation, setHandler } from '@temporalio/workflow';
import { endOfBerlinDay, formatBerlinDate } from '../../libs/domain/src/berlin-time';
import { addDuration } from '../../libs/domain/src/duration';
import { meetsTrustLevel } from '../../libs/domain/src/identity';
import type { TrustLevel } from '../../libs/domain/src/identity';
import { identityUpgradedSignal } from './case.contract';
import type { Actor } from './case.contract';
import { IDENTIFICATION_REQUEST_KIND } from './identity.contract';
import { claimRoundKey, recordAnswered, requestActivities, roundClosed, roundOpened } from './citizen-requests';

const { openCaseRequests, closeCaseRequests, recordCaseEvent } = requestActivities;

export { IDENTIFICATION_REQUEST_KIND };

export interface EnsureTrustLevelOptions {
  caseId: string;
  /** The level of the login the application was submitted with. */
  have: TrustLevel;
  /** The level the process needs. */
  need: TrustLevel;
  /** Only upgrades by this subject count (the case's owner); default: any the API let through. */
  ownerSub?: string;
  /** Names the request round; default `identification`. Use another key for a second round. */
  key?: string;
  /** ISO 8601 duration (or ms); without it the case waits until the citizen identifies or withdraws. */
  deadline?: string | number;
}

export interface EnsureTrustLevelResult {
  /** `met`: nothing to do; `upgraded`: the citizen identified at a sufficient level; `deadline_passed`. */
  outcome: 'met' | 'upgraded' | 'deadline_passed';
  /** The level now established (the upgraded one, or `have`). */
  level: TrustLevel;
}

const LEVEL_LABEL: Record<TrustLevel, string> = { basis: '„basis“', substantiell: '„substantiell“', hoch: '„hoch“' };

interface Upgrade {
  trustLevel: TrustLevel;
  by: Actor;
}
const upgrades: Upgrade[] = [];
let handlerInstalled = false;

function ensureHandler(): void {
  if (handlerInstalled) return;
  setHandler(
    identityUpgradedSignal,
    (u) => {
      if (u && typeof u.trustLevel === 'string' && typeof u.by?.sub === 'string') upgrades.push({ trustLevel: u.trustLevel, by: u.by });
    },
    { description: 'The citizen re-authenticated at a higher level of assurance (workflows/shared/identity.ts).' },
  );
  handlerInstalled = true;
}

/** The letter asking for stronger identification (German first; English for the mail). */
export function identificationLetter(have: TrustLevel, need: TrustLevel, dueBy?: Date): { text: string; textEn: string } {
  const until = dueBy ? ` bis zum ${formatBerlinDate(dueBy)}` : '';
  return {
    text:
      `Bitte identifizieren Sie sich${until} mit der eID-Funktion (Online-Ausweisfunktion) Ihres Personalausweises, ` +
      'Ihres elektronischen Aufenthaltstitels oder Ihrer eID-Karte. ' +
      `Für diesen Antrag ist das Vertrauensniveau ${LEVEL_LABEL[need]} nötig; Ihre bisherige Anmeldung hat das Vertrauensniveau ${LEVEL_LABEL[have]}. ` +
      'Melden Sie sich dazu erneut mit der eID-Funktion an Ihrem Servicekonto an und bestätigen Sie danach in Ihrem Antrag die Identifizierung. ' +
      'Bis dahin ruht die Bearbeitung.',
    textEn:
      `Please identify yourself${dueBy ? ' by the date given above' : ''} with the eID function of your German ID card, electronic residence permit or eID card. ` +
      `This application needs the level of assurance "${need}"; your login so far has the level "${have}". ` +
      'Sign in to your service account again with the eID function, then confirm the identification in your application. Until then, processing is paused.',
  };
}

function sufficient(need: TrustLevel, ownerSub: string | undefined): Upgrade | undefined {
  return upgrades.find((u) => meetsTrustLevel(u.trustLevel, need) && (ownerSub === undefined || u.by.sub === ownerSub));
}

/** Returns when the case has the level `need` (see the module comment). */
export async function ensureTrustLevel(options: EnsureTrustLevelOptions): Promise<EnsureTrustLevelResult> {
  const { caseId, have, need, ownerSub } = options;
  ensureHandler();
  if (meetsTrustLevel(have, need)) return { outcome: 'met', level: have };
  const earlier = sufficient(need, ownerSub);
  if (earlier) return { outcome: 'met', level: earlier.trustLevel };

  const key = options.key ?? IDENTIFICATION_REQUEST_KIND;
  claimRoundKey(key, 'ensureTrustLevel');
  const dueBy = options.deadline !== undefined ? endOfBerlinDay(addDuration(new Date(), options.deadline)) : undefined;

  roundOpened(key);
  let requestId: string | undefined;
  let settled = false;
  const close = async (status: 'fulfilled' | 'expired' | 'cancelled') => {
    settled = true;
    if (requestId) await CancellationScope.nonCancellable(() => closeCaseRequests({ caseId, requestIds: [requestId!], status }));
  };
  try {
    const letter = identificationLetter(have, need, dueBy);
    const opened = await CancellationScope.nonCancellable(() =>
      openCaseRequests({
        caseId,
        key,
        items: [{ kind: IDENTIFICATION_REQUEST_KIND, text: `Identifizierung mit der eID-Funktion (Vertrauensniveau ${LEVEL_LABEL[need]})`, details: { trustLevel: need } }],
        dueBy: dueBy ? dueBy.toISOString() : null,
      }),
    );
    requestId = opened.requests[0]!.requestId;
    await recordCaseEvent({ caseId, eventKey: `request-${key}`, status: 'ACTION_REQUIRED', audience: 'citizen', text: letter.text, textEn: letter.textEn, notify: true });

    const found = () => sufficient(need, ownerSub) !== undefined;
    let inTime = true;
    if (dueBy) inTime = await condition(found, Math.max(dueBy.getTime() - Date.now(), 1));
    else await condition(found);
    if (!inTime) {
      await close('expired');
      await recordCaseEvent({ caseId, eventKey: `request-${key}-expired`, audience: 'internal', text: `Identifizierung (Vertrauensniveau ${need}) bis ${formatBerlinDate(dueBy!)} nicht erfolgt.` });
      return { outcome: 'deadline_passed', level: have };
    }
    const level = sufficient(need, ownerSub)!.trustLevel;
    await close('fulfilled');
    roundClosed(key);
    await recordAnswered(caseId, key, `Vielen Dank, Sie haben sich erfolgreich identifiziert (Vertrauensniveau ${LEVEL_LABEL[level]}). Wir bearbeiten Ihren Antrag weiter.`);
    return { outcome: 'upgraded', level };
  } catch (e) {
    if (isCancellation(e) && !settled) await close('cancelled');
    throw e;
  } finally {
    roundClosed(key);
  }
}

/** The levels this workflow has been told about so far, in arrival order (for queries and tests). */
export function upgradedTrustLevels(): TrustLevel[] {
  return upgrades.map((u) => u.trustLevel);
}
