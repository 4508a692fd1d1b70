/**
 * What a provider call costs: US dollars per million prompt and completion tokens, per model. Costs are kept
 * in millionths of a dollar (integers). A model not in the table costs nothing here (a local Ollama or vLLM);
 * add it to charge for it. Prices as published by the providers in 2026; check yours.
 */
export interface Price {
  promptPerMTok: number;
  completionPerMTok: number;
}

const PRICES: Record<string, Price> = {
  'gpt-4o-mini': { promptPerMTok: 0.15, completionPerMTok: 0.6 },
  'gpt-4o': { promptPerMTok: 2.5, completionPerMTok: 10 },
  'gpt-4.1-mini': { promptPerMTok: 0.4, completionPerMTok: 1.6 },
  'gpt-4.1': { promptPerMTok: 2, completionPerMTok: 8 },
  'grok-3-mini': { promptPerMTok: 0.3, completionPerMTok: 0.5 },
  'grok-3': { promptPerMTok: 3, completionPerMTok: 15 },
  'offline-tutor': { promptPerMTok: 0, completionPerMTok: 0 },
};

export function priceOf(model: string): Price {
  return PRICES[model] ?? PRICES[model.replace(/-\d{4}-\d{2}-\d{2}$/, '')] ?? { promptPerMTok: 0, completionPerMTok: 0 };
}

/** Cost in millionths of a dollar, rounded up so that many small calls never add up to less than they cost. */
export function costMicros(model: string, promptTokens: number, completionTokens: number): number {
  const p = priceOf(model);
  return Math.ceil(promptTokens * p.promptPerMTok + completionTokens * p.completionPerMTok);
}
