"""Progress bars of long calls (tqdm's, when it is installed).

Examples
--------
>>> with Progress(10, progress=False) as bar:  # never shows one
...     bar.update(10)
"""

import os

#: A progress bar appears once a call has run this long (seconds).
PROGRESS_DELAY = 2.0


class Progress:
    """A tqdm progress bar over ``total`` blocks.

    ``progress=True`` shows one from the start; ``None`` (the default) shows
    one only when stderr is a terminal and tqdm is installed, and only once
    the call has lasted :data:`PROGRESS_DELAY` seconds, so that quick calls,
    tests and scripts whose output goes to a file print nothing; ``False``
    never shows one. The environment variable ``ZARR_PROGRESS=0`` turns the
    default off. A finished bar stays, showing the count of blocks done (a
    log shows ``40/40``, not only ``0/40``), but for one nested in another's
    blocks.
    """

    def __init__(self, total, progress=None, desc=None):
        self._bar = None
        explicit = bool(progress)
        delay = 0
        if progress is None:
            progress = _interactive()
            delay = PROGRESS_DELAY
        if not progress:
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:
            if explicit:
                raise ImportError("progress=True needs tqdm: pip install tqdm") from None
            return
        self._bar = tqdm(total=total, desc=desc, unit="block", delay=delay, leave=None)

    def update(self, n=1):
        if self._bar is not None:
            self._bar.update(n)

    def close(self):
        if self._bar is not None:
            self._bar.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _interactive():
    if os.environ.get("ZARR_PROGRESS", "").lower() in ("0", "no", "off", "false"):
        return False
    import sys
    stream = sys.stderr
    return bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())
