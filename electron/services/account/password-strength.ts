import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en';

export interface StrengthEstimate {
  score: number;
  warning: string | undefined;
  suggestions: string[];
}

/**
 * The meter: zxcvbn-ts with the common and English dictionaries, plus the account's own words.
 * Built once (the dictionaries take a moment to index) and only on first use.
 */
export class PasswordStrengthMeter {
  private factory: ZxcvbnFactory | undefined;

  estimate(password: string, userWords: readonly string[] = []): StrengthEstimate {
    this.factory ??= new ZxcvbnFactory({
      translations,
      graphs: adjacencyGraphs,
      dictionary: { ...commonDictionary, ...englishDictionary },
    });
    // zxcvbn's cost grows with length; the meter only needs to judge what the policy allows.
    const result = this.factory.check(password.slice(0, 256), ['lifeline', ...userWords]);
    return {
      score: result.score,
      warning: result.feedback.warning ?? undefined,
      suggestions: [...result.feedback.suggestions],
    };
  }
}
