/** An email as accounts are looked up by it: trimmed and in lower case. */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();
