"""The temporary files of writes in progress: names that say whose they are,
and whether their writer is gone.

A write puts its bytes in a temporary file beside the file it replaces, named
``.<name>.<pid>@<host>.<n>.partial``: the key's file name (shortened when
the whole would not fit in a file name), the writing process's id and host
name, and a number of its own. A writer killed mid-write leaves its
temporary file; :func:`writer_is_gone` says from the name alone, with
``os.kill(pid, 0)``, when it may be removed.
"""

import errno
import itertools
import os
import re
import socket

#: The suffix of the temporary files of writes in progress; never a key.
PARTIAL_SUFFIX = ".partial"

# The longest file name (in bytes) of the file systems here.
_NAME_MAX = 255

_numbers = itertools.count()


def _host_name():
    name = re.sub(r"[^A-Za-z0-9._-]", "_", socket.gethostname())[:64]
    return name or "_"


#: This host, as the names of temporary files give it.
HOST = _host_name()

# .<name>.<pid>@<host>.<n>.partial, or .<name>.<pid>.<n>.partial (the names of
# earlier versions, which hold no host).
_PARTIAL = re.compile(r"\.(?:.*)\.([0-9]{1,10})(?:@([A-Za-z0-9._-]+))?\.[0-9]+%s\Z"
                      % re.escape(PARTIAL_SUFFIX), re.S)


def partial_name(name):
    """A fresh name for a temporary file beside the file ``name``.

    Examples
    --------
    >>> import os
    >>> tmp = partial_name("0.0")
    >>> tmp.startswith(".0.0.%d@%s." % (os.getpid(), HOST)), tmp.endswith(".partial")
    (True, True)
    >>> len(partial_name("x" * 300)) <= 255
    True
    """
    tail = ".%d@%s.%d%s" % (os.getpid(), HOST, next(_numbers), PARTIAL_SUFFIX)
    room = _NAME_MAX - 1 - len(tail)
    if len(name) * 4 > room:  # may not fit (a character is 4 bytes at most)
        name = name[:room]  # only a reminder of the key: shortened to fit
        while len(os.fsencode(name)) > room:
            name = name[:-1]
    return "." + name + tail


def partial_writer(name):
    """(pid, host) of the writer of the temporary file ``name``, host None for
    a name that holds none; None when ``name`` is not one of ours.

    Examples
    --------
    >>> partial_writer(".0.0.4242@node7.3.partial")
    (4242, 'node7')
    >>> partial_writer(".zarray.4242.0.partial"), partial_writer("0.0")
    ((4242, None), None)
    """
    match = _PARTIAL.match(name)
    if match is None:
        return None
    return int(match.group(1)), match.group(2)


def writer_is_gone(name):
    """Whether the writer of the temporary file ``name`` is known to be gone:
    it wrote on this host (or the name gives no host), and no process has
    its id here (``os.kill(pid, 0)`` fails with ESRCH). A live process, one
    of another user (EPERM), another host, or a name not of ours: False.

    Examples
    --------
    >>> writer_is_gone(partial_name("0.0"))  # this process's own
    False
    """
    writer = partial_writer(name)
    if writer is None:
        return False
    pid, host = writer
    if (host is not None and host != HOST) or pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OverflowError:
        return True  # beyond any process id
    except OSError as e:
        return e.errno == errno.ESRCH
    return False
