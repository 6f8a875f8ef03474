import { deliveryMessageId, uuidV5 } from './message-id';

describe('delivery message ids', () => {
  it('are RFC 4122 version 5 UUIDs (the RFC’s DNS example)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('are stable per case, form and recipient, and differ otherwise', () => {
    const caseId = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const id = deliveryMessageId(caseId, 'anmeldung', 'ihk');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deliveryMessageId(caseId, 'anmeldung', 'ihk')).toBe(id);
    expect(deliveryMessageId(caseId, 'anmeldung', 'hwk')).not.toBe(id);
    expect(deliveryMessageId(caseId, 'abmeldung', 'ihk')).not.toBe(id);
    expect(deliveryMessageId('7c9e6679-7425-40de-944b-e07fc1f90ae7', 'anmeldung', 'ihk')).not.toBe(id);
  });
});
