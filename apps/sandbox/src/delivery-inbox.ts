/**
 * What the simulated § 14 GewO recipients received (submissions of kind gewo14-delivery): the
 * XGewerbeanzeige-style XML as it arrived, per recipient, so a test can check that a recipient got
 * only the fields GewAnzV § 3 allows it. In memory only (never in the state file, never logged):
 * the messages carry personal data, as they would at a real recipient.
 */
export interface ReceivedDelivery {
  adapter: string;
  caseId: string;
  step: string;
  recipient: string;
  messageId?: string;
  /** The XML as received. */
  message: string;
  externalId: string;
  receivedAt: string;
}

export class DeliveryInbox {
  private readonly items: ReceivedDelivery[] = [];

  constructor(private readonly limit = 1000) {}

  add(d: ReceivedDelivery): void {
    this.items.push(d);
    if (this.items.length > this.limit) this.items.shift();
  }

  get list(): readonly ReceivedDelivery[] {
    return this.items;
  }

  clear(): void {
    this.items.length = 0;
  }
}
