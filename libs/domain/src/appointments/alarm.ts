/** Terminalarm status vocabulary (API.md "Terminalarm"); docs/appointments.md. */
export const ALARM_STATUSES = ['active', 'offered', 'booked', 'expired', 'cancelled'] as const;
export type AlarmStatus = (typeof ALARM_STATUSES)[number];
export const OFFER_STATUSES = ['open', 'accepted', 'declined', 'lapsed'] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];
