// Splits a byte stream into UTF-8 lines, for the newline-delimited JSON streams Docker sends (/events, pulls).
import { StringDecoder } from 'node:string_decoder';

export function splitLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  stream.on('data', (chunk: Buffer | string) => {
    rest += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let newline: number;
    while ((newline = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, newline).trim();
      rest = rest.slice(newline + 1);
      if (line) onLine(line);
    }
  });
  stream.on('end', () => {
    const line = (rest + decoder.end()).trim();
    rest = '';
    if (line) onLine(line);
  });
}
