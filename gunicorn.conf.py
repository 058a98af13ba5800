"""gunicorn settings for ``make serve`` and the systemd unit (README, "Deployment").

Everything comes from the environment: WEB_CONCURRENCY worker processes (gunicorn reads it
itself; default 2 × cores + 1), GUNICORN_THREADS threads each, listening on BIND.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Threads let a worker wait on PostgreSQL for one request while serving another; each thread
# keeps its own persistent connection (CONN_MAX_AGE), so PostgreSQL sees workers × threads.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A PDF render is the slowest request; longer than this and the worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak (WeasyPrint, fonts) cannot grow for months.
max_requests = 2000
max_requests_jitter = 200
# No control socket: its default path is per user, so two app servers on one host would share it.
control_socket_disable = True
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
