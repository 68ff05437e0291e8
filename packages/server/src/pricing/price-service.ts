import {
  costByBook,
  type EffectiveModelPrice,
  type PriceBook,
  isoFromMicros,
  type ModelPrice,
  type PriceListResponse,
  type PriceTable,
  type RepriceResponse,
  type TimeRange,
  type UnpricedModelListResponse,
} from '@spoor/model';
import { AppError } from '../errors.js';
import { InTurn } from '../in-turn.js';
import { repriceSpans } from '../store/reprice.js';
import type { PriceStore } from '../store/store.js';
import { PriceBooks } from './price-books.js';

/**
 * The prices in force per project: Spoor's table, the `--prices` file over it, and prices set
 * through the API over both (kept in the store, so they survive restarts). Gives ingest its price
 * book, and answers the price API. Runs where the store is.
 */
export class PriceService {
  private readonly books: PriceBooks;
  /** A project's changes one at a time, each with the read of the prices after it: the books end as the store does. */
  private readonly changes = new InTurn();
  private readonly repricing = new InTurn();

  /** `onChange` is told a project's API-set prices whenever they are loaded or change (the receiver keeps its own books). */
  constructor(
    private readonly store: PriceStore,
    file: PriceTable | null,
    private readonly now: () => number = Date.now,
    private readonly onChange: (projectId: string, models: ModelPrice[]) => void = () => {},
  ) {
    this.books = new PriceBooks(file);
  }

  /** Loads the API-set prices of `projects` (ingest needs their books synchronously). */
  async load(projects: readonly string[]): Promise<void> {
    for (const projectId of projects) await this.rebuild(projectId);
  }

  /** The price book ingest prices a project's spans with. */
  bookFor(projectId: string): PriceBook {
    return this.books.bookFor(projectId);
  }

  async listPrices(projectId: string): Promise<PriceListResponse> {
    const book = this.bookFor(projectId);
    return { asOf: book.asOf, models: book.list() };
  }

  /** Adds or replaces a model's price; spans from now on are priced with it. */
  putPrice(projectId: string, price: ModelPrice): Promise<EffectiveModelPrice> {
    return this.changes.run(projectId, async () => {
      await this.store.putModelPrice(projectId, price, this.now() * 1000);
      await this.rebuild(projectId);
      return { ...price, origin: 'api' as const };
    });
  }

  deletePrice(projectId: string, model: string): Promise<{ deleted: string }> {
    const id = model.toLowerCase();
    return this.changes.run(projectId, async () => {
      if (!(await this.store.deleteModelPrice(projectId, id))) {
        throw new AppError(
          'ERR_NOT_FOUND',
          `no price for '${id}' was set through the API (prices from Spoor's table or the --prices file cannot be deleted, only overridden)`,
        );
      }
      await this.rebuild(projectId);
      return { deleted: id };
    });
  }

  /** Prices the stored LLM spans of the range again, with the prices in force now. */
  reprice(projectId: string, range: TimeRange): Promise<RepriceResponse> {
    // One at a time per project: a re-pricing reads the costs the one before it set, so of several
    // at once one changes the spans (at once, each rewrote them and DuckDB refused all but one
    // commit). Apart from price changes, which need not wait for a long re-pricing.
    return this.repricing.run(projectId, () => {
      const book = this.bookFor(projectId);
      return repriceSpans(this.store, projectId, range, (llm) => costByBook(llm, book));
    });
  }

  async listUnpricedModels(projectId: string, range: TimeRange): Promise<UnpricedModelListResponse> {
    const rows = await this.store.listUnpricedModels(projectId, range);
    return { models: rows.map(({ lastSeenUs, ...row }) => ({ ...row, lastSeen: isoFromMicros(lastSeenUs) })) };
  }

  private async rebuild(projectId: string): Promise<void> {
    const set = await this.store.listModelPrices(projectId);
    this.books.setApiPrices(projectId, set);
    this.onChange(projectId, set);
  }
}
