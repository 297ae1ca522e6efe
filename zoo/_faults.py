"""Deterministic fault injection: kill the process at a named point (for the tests).

The fault-injection tests start a real run with `ZOO_TEST_KILL_AT=<point>` and the process
kills itself with SIGKILL (as a power cut, the OOM killer or `kill -9` would) when it reaches
that point; they then rerun the same command and check the folder it leaves. The points are
the last moment before each file of a run becomes visible: `write <file name>`, reached
when the file is fully written under its temporary name and not yet renamed.

Example:
>>> kill_point("write model.keras")  # a no-op unless $ZOO_TEST_KILL_AT names this point
"""

import os
import signal

KILL_AT = "ZOO_TEST_KILL_AT"


def kill_point(name):
    """SIGKILL this process if `$ZOO_TEST_KILL_AT` is `name`."""
    if os.environ.get(KILL_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)
