import { Connection } from '@temporalio/client';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { DomainError } from '../../../../libs/domain/src/errors';

/** grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING */
const SERVING = 1;

export interface RetryOptions {
  initialMs: number;
  maxMs: number;
}

/**
 * The API's Temporal client, connected in the background with capped exponential backoff, so the
 * API boots (and /health reports temporal "down") while Temporal is still starting or briefly
 * away. Once connected, the SDK's gRPC channel reconnects by itself.
 * Endpoints call `get()`, which answers 503 (UNAVAILABLE) until the first connection succeeded.
 */
export class TemporalClientHolder {
  private client: Client | undefined;
  private attempt: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastErrorMessage: string | undefined;

  constructor(
    private readonly connect: () => Promise<Client>,
    private readonly logger: Logger,
    private readonly retry: RetryOptions = { initialMs: 500, maxMs: 5_000 },
  ) {}

  start(): void {
    if (!this.client && !this.attempt && !this.timer && !this.stopped) this.tryConnect(this.retry.initialMs);
  }

  get isConnected(): boolean {
    return this.client !== undefined;
  }

  get(): Client {
    if (!this.client) throw new DomainError('UNAVAILABLE', 'The process engine is temporarily unavailable. Please try again shortly.');
    return this.client;
  }

  /** For /health: the frontend's gRPC health service says SERVING (or, for other connection kinds, answers). */
  async check(): Promise<void> {
    const client = this.client;
    if (!client) throw new Error(this.lastErrorMessage ? `not connected: ${this.lastErrorMessage}` : 'not connected yet');
    const connection = client.connection;
    if (connection instanceof Connection) {
      const res = await connection.healthService.check({});
      if (res.status !== SERVING) throw new Error(`Temporal health status ${String(res.status)}`);
    } else {
      await client.workflowService.getSystemInfo({});
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const client = this.client;
    this.client = undefined;
    // An attempt still in flight closes its own connection when it lands (see tryConnect).
    if (client) await client.connection.close();
  }

  /**
   * Resolves when no connection attempt is in flight. A Connection.connect cannot be cancelled and
   * holds its gRPC channel open until it succeeds or times out (10 s); tests that close the app
   * while Temporal is unreachable await this so nothing outlives them.
   */
  async idle(): Promise<void> {
    while (this.attempt) await this.attempt;
  }

  private tryConnect(delayOnFailure: number): void {
    this.timer = undefined;
    this.attempt = this.connect()
      .then(
        async (client) => {
          if (this.stopped) {
            await client.connection.close();
            return;
          }
          this.client = client;
          this.lastErrorMessage = undefined;
          this.logger.info('connected to Temporal');
        },
        (err: unknown) => {
          const message = err instanceof Error ? err.message : String(err);
          if (message !== this.lastErrorMessage) this.logger.warn({ reason: message, retryInMs: delayOnFailure }, 'Temporal not reachable yet; retrying in the background');
          this.lastErrorMessage = message;
          if (this.stopped) return;
          this.timer = setTimeout(() => this.tryConnect(Math.min(delayOnFailure * 2, this.retry.maxMs)), delayOnFailure);
          this.timer.unref();
        },
      )
      .catch((err: unknown) => this.logger.error({ err }, 'Temporal connection handling failed'))
      .finally(() => {
        this.attempt = undefined;
      });
  }
}
