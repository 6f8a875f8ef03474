import { createHash } from 'node:crypto';
import { Body, Controller, Header, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiExtension, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Payload } from '@temporalio/common';
import type { Logger } from 'pino';
import type { Principal } from '../../../../libs/auth/src/principal';
import { EncryptionCodec, PayloadDecryptionError, UnknownPayloadKeyError } from '../../../../libs/temporal/src/encryption-codec';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import { ApiZodBody, ApiZodResponse } from '../docs/zod-openapi';
import { ApiProblem, problemType } from '../problem/problem';
import { ROOT_LOGGER } from '../tokens';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import type { CodecRequest } from './codec-http.middleware';
import { codecBodySchema, fromJsonPayload, toJsonPayload } from './codec-payloads';
import type { CodecBody } from './codec-payloads';
import { PAYLOAD_CODEC } from './codec.tokens';

type Operation = 'decode' | 'encode';

/**
 * The remote payload codec of the Temporal Web UI and CLI (`--codec-endpoint
 * http://localhost:3000/codec`): staff read the encrypted workflow histories through it. Outside
 * /api/v1. Admins and caseworkers only (a bearer token; the dev-mode exception for the local Web UI
 * is described in codec-http.middleware.ts, which also answers CORS preflights). Every call leaves
 * one audit log line: who (a hash of the subject), what, how many payloads, which key ids — never
 * payload contents.
 */
@ApiTags('operations')
@Controller('codec')
@Roles('admin', 'caseworker')
@ApiExtension('x-amtsweg-dev-local-ui', 'AUTH_MODE=dev only: requests from the local Temporal Web UI origin over loopback need no token')
export class CodecController {
  constructor(
    @Inject(PAYLOAD_CODEC) private readonly codec: EncryptionCodec,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  @Post('decode')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Decrypt payloads for the Temporal Web UI (remote codec protocol)' })
  @ApiHeader({ name: 'X-Namespace', required: false, description: 'The Temporal namespace the payloads come from (sent by the Web UI)' })
  @ApiZodBody(codecBodySchema)
  @ApiZodResponse(200, codecBodySchema, 'The same payloads, decrypted (payloads that were not encrypted come back unchanged)')
  async decode(@Body(new ZodValidationPipe(codecBodySchema)) body: CodecBody, @CurrentPrincipal() principal: Principal, @Req() req: CodecRequest): Promise<CodecBody> {
    return this.run('decode', body, principal, req);
  }

  @Post('encode')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Encrypt payloads for the Temporal Web UI (remote codec protocol)' })
  @ApiHeader({ name: 'X-Namespace', required: false })
  @ApiZodBody(codecBodySchema)
  @ApiZodResponse(200, codecBodySchema, 'The same payloads, encrypted with the current key')
  async encode(@Body(new ZodValidationPipe(codecBodySchema)) body: CodecBody, @CurrentPrincipal() principal: Principal, @Req() req: CodecRequest): Promise<CodecBody> {
    return this.run('encode', body, principal, req);
  }

  private async run(op: Operation, body: CodecBody, principal: Principal, req: CodecRequest & { log?: Logger }): Promise<CodecBody> {
    const input: Payload[] = body.payloads.map(fromJsonPayload);
    const keyIds = new Set<string>();
    const audit = {
      audit: 'payload-codec',
      op,
      via: req.codecVia ?? 'token',
      actor: createHash('sha256').update(principal.sub).digest('hex').slice(0, 16),
      roles: principal.roles,
      namespace: namespaceOf(req.headers['x-namespace']),
      payloads: input.length,
    };
    const log = req.log ?? this.logger;
    let output: Payload[];
    try {
      if (op === 'decode') {
        for (const p of input) {
          const id = EncryptionCodec.keyIdOf(p);
          if (id) keyIds.add(id);
        }
        output = await this.codec.decode(input);
      } else {
        output = await this.codec.encode(input);
        keyIds.add(this.codec.encryptingKeyId);
      }
    } catch (e) {
      if (e instanceof UnknownPayloadKeyError || e instanceof PayloadDecryptionError) {
        log.warn({ ...audit, keyIds: [...keyIds], outcome: e.name }, `payload codec: ${op} refused`);
        // Messages name key ids only, never data.
        throw new ApiProblem(422, e.message, { type: problemType(e instanceof UnknownPayloadKeyError ? 'unknown-payload-key' : 'payload-decryption-failed') });
      }
      throw e;
    }
    log.info({ ...audit, keyIds: [...keyIds], encrypted: op === 'decode' ? input.filter((p) => EncryptionCodec.isEncrypted(p)).length : output.length, outcome: 'ok' }, `payload codec: ${op}`);
    return { payloads: output.map(toJsonPayload) };
  }
}

function namespaceOf(header: string | string[] | undefined): string | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  return v && /^[A-Za-z0-9._-]{1,255}$/.test(v) ? v : undefined;
}
