import { CST, Lexer } from 'yaml';

/**
 * Deepest nesting of mappings and sequences a scenario text or request body
 * may have. A scenario is 3 levels deep; the bound keeps every recursive step
 * after parsing (the YAML composer, class-validator, class-transformer) far
 * from the stack limit, and a hostile text from holding the event loop.
 *
 * @defaultValue 32
 */
export const NESTING_DEPTH_MAX = 32;

/** Where a YAML text first nests deeper than allowed. */
export interface NestingPosition {
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
}

/** Zero-width marks the lexer puts before a document and before a scalar's text. */
const ZERO_WIDTH = new Set(['doc-mode', 'scalar', 'byte-order-mark', 'flow-error-end']);

/**
 * Where the YAML `text` first nests deeper than `depthMax`, or null. Reads
 * the lexer's tokens (the lexer is iterative) and stops at the first token
 * past the bound, so the cost of a refusal is bounded by `depthMax`, not by
 * the text: a 240 KB `[[[...` is refused after 33 brackets. Block
 * collections are tracked by the columns their entries start at, flow ones
 * by their brackets. The count is an upper bound: it may count a value that
 * shares its key's line as one level more than the composed document has,
 * so a text of depth `depthMax` always passes and one of `depthMax + 2` never
 * does (the parsed value is checked exactly afterwards).
 */
export function yamlNestingPosition(text: string, depthMax: number = NESTING_DEPTH_MAX): NestingPosition | null {
  const blocks: Block[] = [];
  let flow = 0;
  let line = 1;
  let column = 0;
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token) ?? undefined;
    if (type !== undefined && ZERO_WIDTH.has(type)) continue;
    if (type === 'doc-start' || type === 'doc-end') {
      blocks.length = 0;
      flow = 0;
    } else if (type === 'flow-seq-end' || type === 'flow-map-end') {
      flow = Math.max(0, flow - 1);
    } else if (opensLevel(type)) {
      if (flow === 0) enterBlock(blocks, { column, sequence: type === 'seq-item-ind' });
      if (type === 'flow-seq-start' || type === 'flow-map-start') flow++;
      if (blocks.length + flow > depthMax + 1) return { line, column: column + 1 };
    }
    const newlines = token.split('\n').length - 1;
    if (newlines > 0) {
      line += newlines;
      column = token.length - token.lastIndexOf('\n') - 1;
    } else column += token.length;
  }
  return null;
}

/** True for a token that starts a node: an indicator, a bracket, a scalar's text, an anchor, tag or alias. */
function opensLevel(type: string | undefined): boolean {
  return !(
    type === 'newline' ||
    type === 'space' ||
    type === 'comment' ||
    type === 'comma' ||
    type === 'map-value-ind' ||
    type === 'directive-line'
  );
}

/** An open block collection: the column its entries start at, and whether they are `- ` items. */
interface Block {
  column: number;
  sequence: boolean;
}

/**
 * A node starting at `at.column` outside brackets: it closes the block
 * collections it is not inside, and continues or opens one. A sequence may
 * sit at its parent key's column (`key:\n- item`), so a column holds a
 * mapping and a sequence inside it.
 */
function enterBlock(blocks: Block[], at: Block): void {
  for (;;) {
    const top = blocks[blocks.length - 1];
    if (!top || top.column < at.column) break;
    if (top.column === at.column && (top.sequence === at.sequence || at.sequence)) break;
    blocks.pop();
  }
  const top = blocks[blocks.length - 1];
  if (!top || top.column < at.column || top.sequence !== at.sequence) blocks.push(at);
}
