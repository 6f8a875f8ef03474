import { log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { smokeMessageId, smokeStageQuery } from './smoke.contract';
import type { SmokeInput, SmokeResult, SmokeStage } from './smoke.contract';

const { ping, sendNotification } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/** Pings the database through an activity, then sends one notification mail; returns what it did. */
export async function smokeWorkflow(input: SmokeInput): Promise<SmokeResult> {
  let stage: SmokeStage = 'started';
  setHandler(smokeStageQuery, () => stage);

  const { workflowId } = workflowInfo();
  const pinged = await ping();
  stage = 'pinged';

  const sent = await sendNotification({
    messageId: smokeMessageId(workflowId),
    to: input.notifyTo,
    subject: 'amtsweg: Systemtest / system check',
    text:
      'Diese Nachricht bestätigt, dass amtsweg Vorgänge ausführen und E-Mails versenden kann.\n' +
      `Vorgang: ${workflowId}\n\n` +
      'This message confirms that amtsweg can run processes and send mail.\n',
  });
  stage = 'notified';
  log.info('smoke run finished', { mailStatus: sent.status });

  return { workflowId, databaseTime: pinged.databaseTime, notification: { messageId: sent.messageId, status: sent.status } };
}
