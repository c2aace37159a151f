"""What each of granian's worker processes loads for `npsloop web`: npsloop's WSGI
application, in a process that ends when the server's main process does.

Granian's workers are child processes that serve the port on their own; when the main
process is killed outright (kill -9, the OOM killer) nothing tells them, and they kept the
port, so the next start failed with "Address already in use". Linux sends each worker
SIGTERM instead (PR_SET_PDEATHSIG), and it stops as on Ctrl-C.
"""

from __future__ import annotations

import os

from npsloop.ops.serving import WEB_PARENT, die_with_parent

die_with_parent()
# The main process may have died before the line above: then nobody will signal us.
if (parent := os.environ.get(WEB_PARENT)) and os.getppid() != int(parent):
    raise SystemExit(f"npsloop web's main process ({parent}) is gone; this worker stops")

from npsloop.wsgi import application  # noqa: E402

__all__ = ["application"]
