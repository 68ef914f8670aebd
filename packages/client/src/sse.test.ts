import { readServerSentEvents, type ServerSentEvent } from './sse';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const ch of chunks) c.enqueue(enc.encode(ch));
      c.close();
    },
  });
}

async function all(chunks: string[]): Promise<ServerSentEvent[]> {
  const out: ServerSentEvent[] = [];
  for await (const e of readServerSentEvents(streamOf(chunks))) out.push(e);
  return out;
}

test('events split across chunks, comments skipped, multi-line data joined, CRLF accepted', async () => {
  const events = await all(['event: progress\nda', 'ta: {"a":1}\n\n: keep-alive\n\n', 'data: x\r\ndata: y\r\n\r\nevent: end\ndata: {}\n\n']);
  expect(events).toEqual([
    { event: 'progress', data: '{"a":1}' },
    { event: 'message', data: 'x\ny' },
    { event: 'end', data: '{}' },
  ]);
});

test('a multi-byte character split between chunks survives', async () => {
  const bytes = new TextEncoder().encode('data: é\n\n');
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(bytes.slice(0, 7));
      c.enqueue(bytes.slice(7));
      c.close();
    },
  });
  const out: ServerSentEvent[] = [];
  for await (const e of readServerSentEvents(stream)) out.push(e);
  expect(out).toEqual([{ event: 'message', data: 'é' }]);
});
