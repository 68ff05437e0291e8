import { type DashboardDoc, readDashboard } from './document';

/** Export and import as files: the document alone, as the API's GET gives it and its PUT takes it. */

/** Downloads the document as `<name>.json`. */
export function downloadDashboard(doc: DashboardDoc): void {
  const blob = new Blob([`${JSON.stringify(doc, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `${doc.name}.json`;
  a.click();
  // After the click has started the download; revoking at once can cancel it in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** The document in an uploaded file, or what is wrong with it. */
export async function readDashboardFile(file: File): Promise<{ doc: DashboardDoc } | { error: string }> {
  let value: unknown;
  try {
    value = JSON.parse(await file.text());
  } catch (error) {
    return { error: `${file.name} is not JSON: ${(error as Error).message}` };
  }
  const read = readDashboard(value);
  return 'error' in read ? { error: `${file.name}: ${read.error}` } : read;
}
