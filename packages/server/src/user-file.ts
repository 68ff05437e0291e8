import { readFile } from 'node:fs/promises';

/** The JSON of a file the user named (`what`: "the price table"); the error names the file and what is wrong. */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${what} ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
