import type { ExportSaved } from '../../shared/contract';
import { formatCount } from './format';

/** Saves text as a file: a Blob behind an <a download> (no server round trip, no popup). */
export function downloadText(filename: string, contentType: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: contentType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The browser has the blob once the click is handled; free it a little later.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** What the export buttons say once a download is on its way (or saved, in the app). */
export function exportedText(out: ExportSaved, noun: string): string {
  if (out.count === null) return `The ${noun}s are downloading (streamed: see the browser's downloads).`;
  if (out.filename === null) return 'Export cancelled.';
  return `${formatCount(out.count)} ${noun}${out.count === 1 ? '' : 's'} exported to ${out.filename}.`;
}
