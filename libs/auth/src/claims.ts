import { z } from 'zod';
import type { JWTPayload } from 'jose';
import { TRUST_LEVELS, isRole } from '../../domain/src/identity';
import type { Principal } from './principal';
import { AuthenticationError } from './errors';

/**
 * The claims of API.md ("Identity") as they arrive in a verified token. Roles the platform does
 * not know are dropped (an identity provider may add its own; ignoring them never grants more),
 * everything else that is present must have the right shape or the token is refused (401).
 */
const verifiedClaimsSchema = z.object({
  sub: z.string().min(1).max(255),
  roles: z
    .array(z.string())
    .max(50)
    .optional()
    .transform((roles) => [...new Set((roles ?? []).filter(isRole))]),
  trust_level: z.enum(TRUST_LEVELS).optional(),
  office: z.string().min(1).max(100).optional(),
  groups: z.array(z.string().min(1).max(100)).max(100).optional(),
  email: z.string().min(3).max(320).optional(),
  name: z.string().min(1).max(200).optional(),
});

/** Maps the payload of an already verified JWT to a Principal; bad claims → AuthenticationError. */
export function principalFromClaims(payload: JWTPayload): Principal {
  const parsed = verifiedClaimsSchema.safeParse(payload);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(token)'))];
    throw new AuthenticationError('claims', `token claims are invalid: ${fields.join(', ')}`);
  }
  const c = parsed.data;
  return {
    sub: c.sub,
    roles: c.roles,
    trustLevel: c.trust_level ?? 'basis',
    groups: c.groups ?? [],
    ...(c.office !== undefined && { office: c.office }),
    ...(c.email !== undefined && { email: c.email }),
    ...(c.name !== undefined && { name: c.name }),
  };
}

/** The claims a token for this principal carries (the inverse of principalFromClaims). */
export function claimsFromPrincipal(p: Principal): Record<string, unknown> {
  return {
    roles: [...p.roles],
    trust_level: p.trustLevel,
    ...(p.office !== undefined && { office: p.office }),
    ...(p.groups.length > 0 && { groups: [...p.groups] }),
    ...(p.email !== undefined && { email: p.email }),
    ...(p.name !== undefined && { name: p.name }),
  };
}

