import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

/**
 * zxcvbn's score 3 ("safely unguessable": about 10^8 guesses or more) is out of reach of an online
 * attack that the log-in limits slow down; "password" and "12345678" score 0.
 */
const MIN_SCORE = 3;

export const WEAK_PASSWORD_MESSAGE = 'is too easy to guess: avoid common passwords, words with digits, sequences, repeats and your email; a few unrelated words work well';

// Built on first use: it indexes tens of thousands of common passwords.
let estimator: ZxcvbnFactory | undefined;

/** Whether a password resists guessing, judged by what crackers try first, and never by its length alone. */
export function isStrongPassword(password: string, relatedInputs: string[] = []): boolean {
  estimator ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
  return estimator.check(password, relatedInputs).score >= MIN_SCORE;
}
