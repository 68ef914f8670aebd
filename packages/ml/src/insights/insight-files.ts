// Types only from the engine: the service reads these files without loading TensorFlow.js.
import type { Suggestion } from '../active/rank-suggestions';
import type { DatasetAudit } from '../audit/audit-dataset';

/** Where a run's dataset insights are stored, relative to its artifact prefix (next to the classifier's files). */
export const INSIGHT_FILES = { audit: 'insights/audit.json', suggestions: 'insights/suggestions.json' } as const;

/** "Label these next", ranked once per run; the API serves its prefixes, skipping images labelled since. */
export interface StoredSuggestions {
  format: 'tailor.suggestions';
  version: 1;
  method: string;
  classes: string[];
  ranked: Suggestion[];
}

/** The dataset audit of a run; the API drops what was fixed since and recomputes the class balance. */
export interface StoredAudit {
  format: 'tailor.audit';
  version: 1;
  classes: string[];
  audit: DatasetAudit;
}
