import { Inject, Injectable } from '@nestjs/common';
import type { NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../../../../libs/config/src/config';
import { signDevToken } from '../../../../libs/auth/src/dev-tokens';
import { PROBLEM_MEDIA_TYPE, problemType } from '../problem/problem';
import { APP_CONFIG } from '../tokens';

/** Headers the Web UI sends to a codec server (plus our request id). */
const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Namespace, X-Request-Id';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** The principal the local Web UI acts as in AUTH_MODE=dev (see CodecHttpMiddleware). */
export const DEV_LOCAL_UI_SUBJECT = 'local-temporal-web-ui';

export interface CodecRequest extends Request {
  /** How the caller reached the codec: its own bearer token, or the dev-mode local Web UI rule. */
  codecVia?: 'token' | 'dev-local-ui';
}

/** The allowed browser origins: CODEC_CORS_ORIGINS, else the local Web UI on TEMPORAL_UI_PORT. */
export function codecCorsOrigins(config: Pick<AppConfig, 'CODEC_CORS_ORIGINS' | 'TEMPORAL_UI_PORT'>): string[] {
  const list = config.CODEC_CORS_ORIGINS ?? `http://localhost:${config.TEMPORAL_UI_PORT},http://127.0.0.1:${config.TEMPORAL_UI_PORT}`;
  return list
    .split(',')
    .map((o) => o.trim().replace(/\/+$/, ''))
    .filter(Boolean);
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function isLoopbackOrigin(origin: string): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(origin).hostname);
  } catch {
    return false;
  }
}

function isLoopbackPeer(req: Request): boolean {
  const a = req.socket.remoteAddress ?? '';
  return a === '127.0.0.1' || a === '::1' || a === '::ffff:127.0.0.1';
}

function problem(res: Response, status: number, slug: string, title: string, detail: string): void {
  res
    .status(status)
    .type(PROBLEM_MEDIA_TYPE)
    .send(JSON.stringify({ type: problemType(slug), title, status, detail, instance: '/codec' }));
}

/**
 * Runs before routing for /codec/*:
 *
 * CORS. The Temporal Web UI calls the codec from the browser, from its own origin, with
 * `Content-Type: application/json` and `X-Namespace` (and `Authorization` when configured to pass
 * the user's token), so every call is preflighted. Origins in CODEC_CORS_ORIGINS (default: the
 * local Web UI) get the CORS headers and a 204 preflight; the preflight from any other origin is a
 * 403, and so is a POST that a browser sends from another origin. The API's own origin
 * (PUBLIC_BASE_URL, e.g. the /docs page) counts as allowed.
 *
 * The dev-mode local Web UI rule. `temporal server start-dev` runs the Web UI without sign-in, so
 * it has no token to pass and cannot attach our dev token. In AUTH_MODE=dev only — which
 * production refuses, and where anyone reaching the API can mint any token at /api/v1/dev/token
 * anyway — a codec request WITHOUT an Authorization header is let in as the local Web UI
 * (a caseworker principal `local-temporal-web-ui`, audited as such) when all of these hold:
 *   1. its Origin is one of the allowed origins AND a loopback origin (localhost, 127.0.0.1, [::1]);
 *   2. the TCP peer is the loopback interface (the browser runs on this machine);
 *   3. it was not relayed by a proxy (no Forwarded / X-Forwarded-For header).
 * A web page of another site cannot forge its Origin, and no other machine passes (2). Every other
 * request needs `Authorization: Bearer <token>` of an admin or caseworker (CodecController).
 */
@Injectable()
export class CodecHttpMiddleware implements NestMiddleware {
  private readonly origins: Set<string>;
  private readonly devLocalUi: boolean;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.origins = new Set(codecCorsOrigins(config));
    this.origins.add(new URL(config.PUBLIC_BASE_URL).origin);
    this.devLocalUi = config.AUTH_MODE === 'dev';
  }

  use(req: CodecRequest, res: Response, next: NextFunction): void {
    this.handle(req, res, next).catch(next);
  }

  private async handle(req: CodecRequest, res: Response, next: NextFunction): Promise<void> {
    const origin = req.headers.origin;
    const allowed = origin !== undefined && this.origins.has(origin);
    res.vary('Origin');
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      // The Web UI's "include cross-origin credentials" option needs this; we authenticate by header, not cookie.
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id, WWW-Authenticate, Retry-After');
    }

    if (req.method === 'OPTIONS') {
      if (!allowed) return problem(res, 403, 'cors-origin-refused', 'Forbidden', 'This origin may not call the payload codec (CODEC_CORS_ORIGINS).');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
      res.status(204).end();
      return;
    }
    if (origin !== undefined && !allowed) {
      return problem(res, 403, 'cors-origin-refused', 'Forbidden', 'This origin may not call the payload codec (CODEC_CORS_ORIGINS).');
    }

    req.codecVia = 'token';
    if (
      this.devLocalUi &&
      req.headers.authorization === undefined &&
      origin !== undefined &&
      allowed &&
      isLoopbackOrigin(origin) &&
      isLoopbackPeer(req) &&
      req.headers.forwarded === undefined &&
      req.headers['x-forwarded-for'] === undefined
    ) {
      const { access_token } = await signDevToken(this.config.DEV_JWT_SECRET, { sub: DEV_LOCAL_UI_SUBJECT, roles: ['caseworker'], trustLevel: 'basis', groups: [] }, 60);
      req.headers.authorization = `Bearer ${access_token}`;
      req.codecVia = 'dev-local-ui';
    }
    next();
  }
}
