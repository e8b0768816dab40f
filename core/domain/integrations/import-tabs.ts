// The Repos and Ticket projects pages (SPEC F8) each show one tab at a time: what is imported
// (ingested by updates) and what is available to import.
export const importTabs = ['imported', 'available'] as const;
export type ImportTab = (typeof importTabs)[number];
export const importTabLabels: Record<ImportTab, string> = { imported: 'Imported', available: 'Available' };
