/** The tabs of the alerts page; the URL's `tab=` names one. */
export const ALERT_TABS = [
  { key: 'active', label: 'Active' },
  { key: 'rules', label: 'Rules' },
  { key: 'history', label: 'History' },
  { key: 'silences', label: 'Silences' },
] as const;

export type AlertTab = (typeof ALERT_TABS)[number]['key'];

/** The tab `tab=` names; `active` for none or one this page does not have. */
export function alertTabFrom(value: string | null): AlertTab {
  const tab = ALERT_TABS.find((t) => t.key === value);
  return tab?.key ?? 'active';
}
