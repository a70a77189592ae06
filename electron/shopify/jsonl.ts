/**
 * Lines of a streamed body, one at a time: the body is read chunk by chunk and only the
 * unfinished tail of the last chunk is held, so a bulk result of any size runs in bounded
 * memory. The consumer pulls: while it is busy (writing a batch to SQLite) nothing more is
 * read, and the socket's backpressure holds the rest on the server.
 */
export async function* readLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let tail = '';
  for await (const chunk of body) {
    const text = tail + decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl);
      start = nl + 1;
      if (line.trim() !== '') yield line;
    }
    tail = text.slice(start);
  }
  tail += decoder.decode();
  if (tail.trim() !== '') yield tail;
}
