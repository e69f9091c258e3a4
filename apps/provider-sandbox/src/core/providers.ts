/** The five providers the sandbox plays. */
export const PROVIDER_IDS = ['indx', 'indexo', 'indodax', 'findigi', 'finx'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export function isProviderId(value: string): value is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(value);
}
