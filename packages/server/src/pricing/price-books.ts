import { DEFAULT_PRICES, PriceBook, type ModelPrice, type PriceTable } from '@spoor/model';

/**
 * The price books in force per project: Spoor's table, the `--prices` file over it, and the
 * prices set through the API over both. The receiver prices spans with them as it decodes; the
 * database thread keeps the API's prices and tells the receiver when they change.
 */
export class PriceBooks {
  private readonly books = new Map<string, PriceBook>();
  private readonly base: { table: PriceTable; origin: 'default' | 'file' }[];

  constructor(file: PriceTable | null) {
    this.base = [{ table: DEFAULT_PRICES, origin: 'default' }];
    if (file !== null) this.base.push({ table: file, origin: 'file' });
  }

  /** The book a project's spans are priced with. */
  bookFor(projectId: string): PriceBook {
    let book = this.books.get(projectId);
    if (book === undefined) {
      book = new PriceBook(this.base);
      this.books.set(projectId, book);
    }
    return book;
  }

  /** Puts the prices set through the API for a project over the table and the file. */
  setApiPrices(projectId: string, models: ModelPrice[]): void {
    this.books.set(projectId, new PriceBook([...this.base, { table: { asOf: '', models }, origin: 'api' }]));
  }
}
