import type { ErrorGroup, ErrorParts } from '@spoor/model';

/**
 * The parts of a fingerprint besides type and message, as short tags: where it was thrown and,
 * for LLM and tool failures, which provider, status, finish reason or tool. Pure; tested in
 * error-context.test.ts.
 */
export function errorContext(parts: ErrorParts): string[] {
  const tags: string[] = [];
  if (parts.provider !== null) tags.push(parts.provider);
  if (parts.httpStatus !== null) tags.push(`HTTP ${parts.httpStatus}`);
  if (parts.errorType !== null && parts.errorType !== parts.exceptionType) tags.push(parts.errorType);
  if (parts.finishReason !== null) tags.push(`finish: ${parts.finishReason}`);
  if (parts.toolName !== null) tags.push(`tool: ${parts.toolName}`);
  if (parts.frame !== null) tags.push(`at ${parts.frame}`);
  return tags;
}

/**
 * A group's title: its exception type, and the newest message (else the message pattern). A
 * span that failed with only a status has no type: its title is the message alone. Pure; tested
 * in error-context.test.ts.
 */
export function errorTitle(group: Pick<ErrorGroup, 'exceptionType' | 'sampleMessage' | 'messageKey'>): { type: string | null; message: string } {
  return { type: group.exceptionType === '' ? null : group.exceptionType, message: group.sampleMessage || group.messageKey || '(no message)' };
}
