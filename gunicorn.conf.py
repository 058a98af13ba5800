"""gunicorn settings for ``make serve`` and the systemd unit (README, "Deployment").

Everything comes from the environment: WEB_CONCURRENCY worker processes (gunicorn reads it
itself; default 2 × cores + 1), GUNICORN_THREADS threads each, listening on BIND.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# One thread per process by default: the pages spend their time in Python, and the threads of one
# process share one interpreter lock, so at month end they slow each other down (bench/load.py on
# two cores: the save's p95 1.1 s with 3 processes × 4 threads, 0.37 s with 6 × 1). Each thread
# keeps its own persistent connection (CONN_MAX_AGE): PostgreSQL sees workers × threads. gthread
# (even with one thread) keeps connections alive between requests.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
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
