import { type TreeTrailer, TreeStreamDecoder } from '@spoor/model';
import { batchFromChunk } from './span-batch';
import { SpanColumns } from './span-columns';
import { buildSpanTree, type SpanTree } from './span-tree';

/**
 * Reads the binary tree stream (`GET /api/traces/:id/tree` as `TREE_MEDIA_TYPE`) into columns as
 * its bytes arrive, and says when to draw: a tree after the first chunk (the first rows paint
 * before the rest of a big trace has arrived), then each time the spans held have doubled, and the
 * whole tree at the end. Ordering is O(n log n), so doubling keeps the orders made along the way
 * under the cost of one more (1,000,000 spans in 16,384-span chunks: 7 orders, not 62).
 */
export class TreeLoader {
  private readonly decoder = new TreeStreamDecoder();
  spans: SpanColumns | null = null;
  /** Spans in the last tree handed out. */
  private orderedCount = 0;

  /** The trailer (logs, scores, session), once the stream is whole. */
  get trailer(): TreeTrailer | null {
    return this.decoder.trailer;
  }

  /** Takes the next bytes; answers a tree when one is due, else `null`. Throws on a stream that is not the format. */
  push(bytes: Uint8Array): SpanTree | null {
    for (const chunk of this.decoder.push(bytes)) {
      const header = this.decoder.header!;
      this.spans ??= new SpanColumns(header.traceId, header.originUs);
      this.spans.add(batchFromChunk(chunk, this.decoder.strings));
    }
    const spans = this.spans;
    if (spans === null || spans.count === 0 || spans.count < 2 * this.orderedCount) return null;
    return this.order(spans);
  }

  /** The stream has ended: the whole tree. Throws if the stream was cut short. */
  end(): SpanTree {
    this.decoder.end();
    const header = this.decoder.header!;
    const spans = (this.spans ??= new SpanColumns(header.traceId, header.originUs));
    spans.sessionId = this.decoder.trailer!.sessionId;
    return this.order(spans);
  }

  private order(spans: SpanColumns): SpanTree {
    this.orderedCount = spans.count;
    return buildSpanTree(spans);
  }
}
