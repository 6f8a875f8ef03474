import { Module, RequestMethod } from '@nestjs/common';
import type { DynamicModule, MiddlewareConsumer, NestModule } from '@nestjs/common';
import type { AppConfig } from '../../../../libs/config/src/config';
import { createPayloadCodec } from '../../../../libs/temporal/src/encryption-codec';
import { CodecHttpMiddleware } from './codec-http.middleware';
import { CodecController } from './codec.controller';
import { PAYLOAD_CODEC } from './codec.tokens';

/**
 * POST /codec/decode and /codec/encode (outside /api/v1) for the Temporal Web UI, with CORS for its
 * origin (CODEC_CORS_ORIGINS). The codec is built at boot from PAYLOAD_KEYS (or, outside
 * production, DATA_DIR/payload-keys), so a bad key stops the API before it listens.
 */
@Module({})
export class CodecModule implements NestModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CodecModule,
      controllers: [CodecController],
      providers: [{ provide: PAYLOAD_CODEC, useFactory: () => createPayloadCodec(config) }, CodecHttpMiddleware],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(CodecHttpMiddleware).forRoutes({ path: 'codec/{*path}', method: RequestMethod.ALL });
  }
}
