/**
 * The identity vocabulary shared by the API (tokens), libs/auth (principals) and workflows (a
 * process declares the level of assurance it needs). Pure TypeScript, safe in workflows.
 */
export const ROLES = ['citizen', 'caseworker', 'admin', 'integrator'] as const;
export type Role = (typeof ROLES)[number];

/** eID levels of assurance, lowest first (eIDAS low / substantial / high as BundID names them). */
export const TRUST_LEVELS = ['basis', 'substantiell', 'hoch'] as const;
export type TrustLevel = (typeof TRUST_LEVELS)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isTrustLevel(value: unknown): value is TrustLevel {
  return typeof value === 'string' && (TRUST_LEVELS as readonly string[]).includes(value);
}

/** True when an identification at level `have` is enough for a process that needs `need`. */
export function meetsTrustLevel(have: TrustLevel, need: TrustLevel): boolean {
  return TRUST_LEVELS.indexOf(have) >= TRUST_LEVELS.indexOf(need);
}
