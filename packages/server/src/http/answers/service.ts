import { Type } from '@sinclair/typebox';
import { Redirect, contentAnswer } from '../content.js';
import { ErrorAnswer } from './errors.js';

/** The answers of health, `/metrics`, single sign-on, the UI's placeholder and the document itself. */

export const HealthAnswer = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false });
export const ReadyAnswer = Type.Object({ status: Type.Literal('ready') }, { additionalProperties: false });
export const NotReadyAnswer = Type.Object(
  { status: Type.Union([Type.Literal('shutting_down'), Type.Literal('store_unavailable')]) },
  { additionalProperties: false, description: 'Shutting down, or the store refuses commits' },
);
export const PrometheusAnswer = contentAnswer('Prometheus text exposition format 0.0.4', { 'text/plain': Type.String() });

/** A refusal a browser reads: an HTML page, or the API's JSON error when single sign-on is not configured. */
export const SignInPage = contentAnswer('Refused: a page saying why (the JSON error when single sign-on is not configured)', {
  'text/html': Type.String(),
  'application/json': ErrorAnswer,
});
export const ToProvider = Redirect("To the provider's sign-in page");
export const ToDashboard = Redirect('Signed in: to the page the sign-in began from');

export const HowToBuildAnswer = contentAnswer('How to build the web UI, and where the API is', { 'text/plain': Type.String() });

/** The OpenAPI document: an object this schema only outlines (the OpenAPI specification is its schema). */
export const OpenApiAnswer = Type.Object(
  { openapi: Type.String(), info: Type.Object({ title: Type.String(), version: Type.String() }), paths: Type.Record(Type.String(), Type.Unknown()) },
  { description: 'OpenAPI 3.1' },
);
