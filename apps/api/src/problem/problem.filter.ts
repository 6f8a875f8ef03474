import { Catch } from '@nestjs/common';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { PROBLEM_MEDIA_TYPE } from './problem';
import { toProblem } from './to-problem';

/**
 * The one exception filter of the API: every failure leaves as application/problem+json
 * (RFC 9457) with the request id. Unexpected errors are logged with their stack under the
 * request's id and answered with a generic 500 that leaks nothing.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const req = host.switchToHttp().getRequest<Request & { id?: unknown; log?: Logger }>();
    const res = host.switchToHttp().getResponse<Response>();
    const { problem, headers, unexpected } = toProblem(exception);

    const instance = (req.originalUrl ?? req.url ?? '').split('?')[0];
    if (instance) problem.instance = instance;
    if (typeof req.id === 'string') problem.requestId = req.id;

    const log = req.log ?? this.logger;
    if (unexpected) log.error({ err: exception }, 'request failed with an unexpected error');

    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.status(problem.status).type(PROBLEM_MEDIA_TYPE).send(JSON.stringify(problem));
  }
}
