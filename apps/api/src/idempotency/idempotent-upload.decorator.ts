import { UseInterceptors, applyDecorators } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiHeader } from '@nestjs/swagger';
import { DeferIdempotency, DeferredIdempotencyInterceptor } from './idempotency.interceptor';

/**
 * A multipart upload of one file in `field` (multer, memory storage, limits from MulterModule)
 * with Idempotency-Key handled AFTER the body is parsed, so the key covers the file's digest: the
 * global interceptor runs before route interceptors and would see no file yet.
 */
export function IdempotentUpload(field: string): MethodDecorator {
  return applyDecorators(DeferIdempotency(), UseInterceptors(FileInterceptor(field), DeferredIdempotencyInterceptor), IdempotencyKeyHeader());
}

/** Documents the optional Idempotency-Key header (the global interceptor honours it on every POST). */
export function IdempotencyKeyHeader(): MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Optional, 1–255 visible ASCII characters (e.g. a UUID). The same key with the same request within 24 h returns the first result ' +
        '(header Idempotent-Replayed: true); with a different request 422; while the first is still running 409.',
    }),
  );
}
