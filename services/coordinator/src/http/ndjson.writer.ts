import type { Response } from 'express';

/** Writes `lines` as an NDJSON download, respecting back-pressure. */
export async function streamLines(res: Response, lines: AsyncIterable<string>, fileName: string): Promise<void> {
  res
    .status(200)
    .set({ 'Content-Type': 'application/x-ndjson', 'Content-Disposition': `attachment; filename="${fileName}"` });
  for await (const line of lines) {
    const text = line.endsWith('\n') ? line : `${line}\n`;
    if (!res.write(text)) await new Promise((resolve) => res.once('drain', resolve));
    if (res.destroyed) return;
  }
  res.end();
}
