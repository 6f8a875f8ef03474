import { ApiProblem } from './problem';

/**
 * body-parser reports its failures as http-errors with a `type`. They happen before any NestJS
 * route runs, so an Express error middleware placed right after the parser turns them into
 * ApiProblems with a stable, input-free detail (the raw parser message may quote the body).
 */
const BY_TYPE: Record<string, [number, string]> = {
  'entity.parse.failed': [400, 'The request body is not valid JSON.'],
  'entity.too.large': [413, 'The request body is too large.'],
  'encoding.unsupported': [415, 'The request body uses an unsupported content encoding.'],
  'charset.unsupported': [415, 'The request body uses an unsupported charset; send UTF-8.'],
  'request.aborted': [400, 'The request was aborted while its body was being read.'],
  'request.size.invalid': [400, 'The request body does not match its Content-Length.'],
  'stream.encoding.set': [500, 'The request body could not be read.'],
};

export function fromBodyParserError(err: unknown): unknown {
  if (typeof err !== 'object' || err === null) return err;
  const type = (err as { type?: unknown }).type;
  if (typeof type !== 'string') return err;
  const known = BY_TYPE[type];
  if (known) return new ApiProblem(known[0], known[1], { cause: err });
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500 && (err as { expose?: unknown }).expose === true) {
    return new ApiProblem(status, 'The request body could not be read.', { cause: err });
  }
  return err;
}
