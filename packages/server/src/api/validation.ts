import type { FastifySchemaCompiler } from 'fastify';
import { type Part, checkerOf } from '../params/check.js';

/**
 * The one validator of the REST API's route schemas (`setValidatorCompiler`): the check of
 * `params/check.ts`, decided once per route, nothing per request but the check.
 */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const part: Part = httpPart === 'body' ? 'body' : httpPart === 'params' ? 'path' : 'query';
  return checkerOf(schema as object, part, 'this endpoint');
};
