import { Writable } from 'node:stream';
import { runInNewContext } from 'node:vm';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import pino from 'pino';
import { redactErrorForLog, redactTemporalLogMeta } from './log-redaction';
import { PinoTemporalLogger } from './worker-runtime';

const IBAN = 'DE89370400440532013000';

describe('log redaction of Temporal errors', () => {
  it('keeps kind, failure type and stack frames, drops message and details (also of causes)', () => {
    const cause = ApplicationFailure.nonRetryable(`Die Bank lehnt die IBAN ${IBAN} ab`, 'IbanRejected', { iban: IBAN });
    const err = new ActivityFailure(`activity failed for ${IBAN}`, 'chargeIban', '2', RetryState.NON_RETRYABLE_FAILURE, 'worker', cause);
    const red = redactErrorForLog(err);
    expect(red).toMatchObject({ name: 'ActivityFailure', message: '[REDACTED]', cause: { name: 'ApplicationFailure', failureType: 'IbanRejected', nonRetryable: true, message: '[REDACTED]' } });
    expect(red.cause?.stack).toMatch(/^\s+at /);
    expect(JSON.stringify(red)).not.toContain('0532013000');
  });

  it('recognises errors from the workflow sandbox (another V8 realm)', () => {
    const foreign = runInNewContext(`new Error('Erika Mustermann, ${IBAN}')`) as unknown;
    expect(foreign instanceof Error).toBe(false);
    expect(JSON.stringify(redactTemporalLogMeta({ error: foreign, workflowId: 'case-x' }))).not.toMatch(/Mustermann|DE8937/);
    expect(redactTemporalLogMeta({ error: foreign, workflowId: 'case-x' }).workflowId).toBe('case-x');
  });

  it('PinoTemporalLogger writes no error message into the log', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = new PinoTemporalLogger(pino({ level: 'trace' }, sink));
    logger.warn('Activity failed', { activityType: 'chargeIban', error: ApplicationFailure.nonRetryable(`Die Bank lehnt die IBAN ${IBAN} ab`, 'IbanRejected') });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('IbanRejected');
    expect(lines[0]).toContain('chargeIban');
    expect(lines[0]).not.toContain(IBAN);
  });
});
