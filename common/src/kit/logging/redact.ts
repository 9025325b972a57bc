const SECRET_KEY = /pass(word)?|token|authorization|secret|cookie|jwt|hash/i;
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/gi;
const JWT_LIKE = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const URL_CREDENTIALS = /(\w+:\/\/)[^/@\s:]+:[^/@\s]+@/g;

/** Masks what looks like a secret inside free text: bearer tokens, JWTs, credentials in URLs. */
export function redactText(text: string): string {
  return text.replace(BEARER, '$1 [redacted]').replace(JWT_LIKE, '[redacted]').replace(URL_CREDENTIALS, '$1[redacted]@');
}

/**
 * Returns a copy of a log value with secret-looking keys masked and secret-looking text scrubbed,
 * so that a password, token or authorization header never reaches a log line, however it got there.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[deep]';
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value instanceof Error) {
    return { name: value.name, message: redactText(value.message), stack: value.stack && redactText(value.stack) };
  }
  if (value && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      copy[key] = SECRET_KEY.test(key) ? '[redacted]' : redact(inner, depth + 1);
    }
    return copy;
  }
  return value;
}
