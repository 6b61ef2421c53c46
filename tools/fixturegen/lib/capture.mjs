// An OTLP/HTTP capture server on 127.0.0.1. Every POST body is kept, keyed by
// the path prefix the client was given: /<producer>/<scenario>/v1/traces
// (and /v1/logs for producers that put content in log records).
import http from 'node:http';

export function startCapture({ log = () => {} } = {}) {
  const bodies = new Map(); // "<producer>/<scenario>" -> [parsed ExportTraceServiceRequest]
  const logBodies = new Map(); // "<producer>/<scenario>" -> [parsed ExportLogsServiceRequest]
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const m = /^\/([a-z0-9_]+)\/([a-z_]+)\/v1\/(traces|logs)$/.exec(req.url.split('?')[0]);
      const ct = String(req.headers['content-type'] ?? '');
      if (req.method !== 'POST' || !m) {
        res.writeHead(404);
        res.end();
        return;
      }
      if (!ct.includes('json')) {
        log(`capture: rejected non-JSON body (${ct}) for ${req.url}`);
        res.writeHead(415);
        res.end();
        return;
      }
      const key = `${m[1]}/${m[2]}`;
      try {
        const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const into = m[3] === 'logs' ? logBodies : bodies;
        if (!into.has(key)) into.set(key, []);
        into.get(key).push(parsed);
      } catch (e) {
        log(`capture: unparsable body for ${key}: ${e.message}`);
        res.writeHead(400);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        baseUrl: `http://127.0.0.1:${port}`,
        bodies,
        logBodies,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
      });
    });
  });
}
