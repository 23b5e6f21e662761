"""gunicorn for the Procfile's `web` and docker-compose's `web`: one command, tuned by variables.

GUNICORN_BIND is where nginx finds it (compose: 0.0.0.0:8000; make stack: 127.0.0.1:<port>),
WEB_CONCURRENCY the number of worker processes.
"""

import os

bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
timeout = 30
accesslog = "-"
# gunicorn's control socket would sit in ~/.gunicorn, shared by every stack and test run on
# the machine; nothing here uses it.
control_socket_disable = True
