import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import { PROBLEM_SCHEMA_NAME, problemSchema } from './problem-responses';

export const OPENAPI_JSON_PATH = '/docs/openapi.json';

export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('amtsweg API')
    .setDescription(
      'Durable e-government processes for Berlin’s citizen services. Errors are RFC 9457 problem documents ' +
        '(application/problem+json). Authenticate with `Authorization: Bearer <JWT>`; in local development get a ' +
        'token from POST /api/v1/dev/token.',
    )
    .setVersion(version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .build();
  const doc = SwaggerModule.createDocument(app, config);
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, [PROBLEM_SCHEMA_NAME]: problemSchema as never } };
  return doc;
}

/**
 * GET /docs/openapi.json and the interactive page at GET /docs. Swagger UI's assets come from the
 * swagger-ui-dist package and are served by us (no CDN), so the page works offline and under the
 * default helmet Content-Security-Policy; the validator badge (an external call) is off.
 */
export function setupOpenApi(app: INestApplication, version: string): void {
  const doc = buildOpenApiDocument(app, version);
  SwaggerModule.setup('docs', app, doc, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    customSiteTitle: 'amtsweg API',
    swaggerOptions: { validatorUrl: null, persistAuthorization: true },
  });
}
