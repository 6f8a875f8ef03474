/**
 * The custom search attributes amtsweg registers on the Temporal namespace. None carries personal
 * data: only process kind, case number, external status and office, so staff can find a process in
 * the Web UI without the history ever being searchable by a citizen's name.
 */
export const SEARCH_ATTRIBUTES = {
  AmtswegProcess: 'Keyword',
  AmtswegCaseNumber: 'Keyword',
  AmtswegCaseStatus: 'Keyword',
  AmtswegOfficeId: 'Keyword',
} as const;

export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;

/** `Name=Type` pairs as the Temporal CLI's `--search-attribute` flag takes them. */
export function searchAttributeFlags(): string[] {
  return Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]);
}
