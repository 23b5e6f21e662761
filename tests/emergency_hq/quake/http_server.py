"""A local HTTP server that plays JMA: scripted answers per path, every request recorded."""

from __future__ import annotations

import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Answer:
    def __init__(self, status=200, body=b"", headers=None, delay=0.0):
        self.status, self.body, self.headers, self.delay = status, body, headers or {}, delay


class FakeJma:
    """``routes[path]`` is a list of answers used in turn (the last one repeats).

    A route may instead be a (body, etag, last_modified) tuple: it then honours
    If-None-Match / If-Modified-Since with a 304, like JMA's servers.
    """

    def __init__(self):
        self.routes: dict[str, object] = {}
        self.requests: list[tuple[str, dict]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server API
                server.requests.append((self.path, dict(self.headers)))
                answer = server._answer(self.path, self.headers)
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    for k, v in answer.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except OSError:
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _answer(self, path: str, headers) -> Answer:
        route = self.routes.get(path)
        if route is None:
            return Answer(404, b"not found")
        if isinstance(route, tuple):
            body, etag, modified = route
            if headers.get("If-None-Match") == etag or headers.get("If-Modified-Since") == modified:
                return Answer(304)
            return Answer(200, body, {"ETag": etag, "Last-Modified": modified})
        return route.pop(0) if len(route) > 1 else route[0]

    def served(self, path: str) -> list[dict]:
        return [headers for p, headers in self.requests if p == path]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def http_date(seconds: float) -> str:
    return formatdate(seconds, usegmt=True)
