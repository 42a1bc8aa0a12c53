/** Bytes of a refused batch shown in {@link BatchEncodingError}'s message (enough for the header). */
const SHOWN_BYTES = 24;

/**
 * Bytes stored as a window's batch are not in an encoding this build reads:
 * an unknown tag (another build's batch, or not a batch at all) or a length
 * that does not match what the header says. The message names the bytes
 * (length and first bytes in hex) so a dump of the inbound set can be matched.
 */
export class BatchEncodingError extends Error {
  /**
   * @param bytes - the refused bytes (the batch part of an inbound member)
   * @param reason - what is wrong with them
   */
  constructor(bytes: Uint8Array, reason: string) {
    const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, SHOWN_BYTES)).toString('hex');
    const shown = head.replace(/(..)(?!$)/g, '$1 ') + (bytes.length > SHOWN_BYTES ? ' ...' : '');
    super(`batch of ${bytes.length} bytes [${shown}] refused: ${reason}`);
    this.name = 'BatchEncodingError';
  }
}
