/**
 * Requests Node's HTTP parser refuses before Express sees them (headers too large, a malformed request
 * line) answer problem+json like every other error, instead of Node's bare status line: 431 for headers over
 * the server's limit, 400 for anything else the parser cannot read.
 */
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

function problem(status: number, title: string, detail: string): string {
  const body = JSON.stringify({ type: 'about:blank', title, status, detail });
  return (
    `HTTP/1.1 ${status} ${title}\r\n` +
    'Content-Type: application/problem+json\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}

/** Answers the parser's refusals on `server` as problem+json, then closes the connection. */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A connection reset or already answered has nobody left to tell.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const answer =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? problem(
            431,
            'Request Header Fields Too Large',
            'The request headers are larger than the server takes',
          )
        : problem(400, 'Bad Request', 'The request could not be read as HTTP');
    socket.end(answer);
  });
}
