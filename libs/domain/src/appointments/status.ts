/**
 * The appointment's status vocabulary (API.md "Appointments") and the stable reasons with which a
 * booking request is refused. Pure TypeScript, safe in workflows.
 */
export const APPOINTMENT_STATUSES = ['reserved', 'confirmed', 'cancelled', 'expired', 'completed', 'missed'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

/** Statuses that hold a seat of a slot (and count toward APPOINTMENTS_PER_EMAIL_LIMIT while not past). */
export const ACTIVE_APPOINTMENT_STATUSES = ['reserved', 'confirmed'] as const satisfies readonly AppointmentStatus[];
export type ActiveAppointmentStatus = (typeof ACTIVE_APPOINTMENT_STATUSES)[number];

export function isActiveAppointmentStatus(s: unknown): s is ActiveAppointmentStatus {
  return s === 'reserved' || s === 'confirmed';
}

/** Statuses after which nothing changes any more. */
export const FINAL_APPOINTMENT_STATUSES = ['cancelled', 'expired', 'completed', 'missed'] as const satisfies readonly AppointmentStatus[];

/** `reason` of DomainError / ApplicationFailure details for appointment rejections (stable, machine-readable). */
export const APPOINTMENT_REJECTIONS = {
  /** The slot has no free seat for the public (booked out, or withheld for the Terminalarm queue). 409 */
  slotTaken: 'slot_taken',
  /** The email address already holds APPOINTMENTS_PER_EMAIL_LIMIT active appointments. 409 */
  emailLimit: 'email_limit_reached',
  /** The slot does not exist. 422 */
  unknownSlot: 'unknown_slot',
  /** The slot does not offer the requested service. 422 */
  serviceNotOffered: 'service_not_offered',
  /** The slot starts in the past or beyond the booking horizon. 422 */
  outsideHorizon: 'outside_booking_horizon',
  /** The hold lapsed before the confirmation arrived. 410 */
  holdExpired: 'hold_expired',
  /** The appointment was cancelled (or moved on) and cannot be changed any more. 409 */
  notActive: 'appointment_not_active',
  /** The appointment has started; it can no longer be cancelled or moved. 409 */
  started: 'appointment_started',
  /** Reschedule to the slot the appointment already has. 422 */
  sameSlot: 'same_slot',
  /** Attendance can be recorded from the appointment's day on, once. 409 */
  attendanceTooEarly: 'attendance_too_early',
  attendanceRecorded: 'attendance_recorded',
  /** The appointment's process has closed (end of its day); attendance can no longer be recorded. 409 */
  attendanceClosed: 'attendance_closed',
} as const;
export type AppointmentRejection = (typeof APPOINTMENT_REJECTIONS)[keyof typeof APPOINTMENT_REJECTIONS];
