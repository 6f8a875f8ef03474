import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import type { AppConfig } from '../../../../libs/config/src/config';
import { APP_CONFIG } from '../tokens';
import { CaseDocumentsController } from './case-documents.controller';
import { CasePaymentController } from './case-payment.controller';
import { CasesController } from './cases.controller';
import { CaseIdentityController } from './identity.controller';

/**
 * GET /cases, GET /cases/{id}, documents upload/download, withdraw. Uploads are parsed by multer
 * into memory (never to disk) with the size limit DOCUMENT_MAX_BYTES (larger → 413), one file, a
 * few small fields, UTF-8 file names.
 */
@Module({
  imports: [
    MulterModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        limits: { fileSize: config.DOCUMENT_MAX_BYTES, files: 1, fields: 5, parts: 6, fieldSize: 1024, headerPairs: 50 },
        defParamCharset: 'utf8',
      }),
    }),
  ],
  controllers: [CasesController, CaseDocumentsController, CaseIdentityController, CasePaymentController],
})
export class CasesModule {}
