/** Where the SDK and CLI find the server and key: TAILOR_* first, then the NanoNets tutorial's variable names. */
export interface ClientConfig {
  url: string;
  apiKey?: string;
  modelId?: string;
}

export const DEFAULT_URL = 'http://localhost:3000';

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ClientConfig {
  const pick = (...names: string[]) => names.map((n) => env[n]?.trim()).find((v) => v);
  return {
    url: (pick('TAILOR_URL') ?? DEFAULT_URL).replace(/\/+$/, ''),
    apiKey: pick('TAILOR_API_KEY', 'NANONETS_API_KEY'),
    modelId: pick('TAILOR_MODEL_ID', 'NANONETS_MODEL_ID'),
  };
}
