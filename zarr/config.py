"""zarr-python 3's runtime configuration, as xarray and dask use it:
``zarr.config.set(...)``, ``zarr.config.get(key)`` and ``zarr.config.config``.

It governs the calls of zarr-python 3's API (:func:`zarr.create_array`,
:func:`zarr.open_group`, ``Group.create``...) only; this package's own
functions keep their defaults. The keys:

- ``default_zarr_format``: the format those calls create when none is
  given (3, as zarr-python 3);
- ``array.write_empty_chunks``: whether those calls' arrays store chunks
  that hold only the fill value (False: such a chunk is deleted instead);
- ``array.order``: ``'C'``, the only order arrays are stored in.

Any other key, or a value this package cannot honour, raises where it is
set, never later: NotImplementedError for a known key's unsupported value
(``array.order='F'``, ``array.rectilinear_chunks=True``), KeyError for an
unknown key.

Examples
--------
>>> import zarr
>>> zarr.config.get("default_zarr_format")
3
>>> with zarr.config.set(default_zarr_format=2):
...     zarr.config.get("default_zarr_format")
2
>>> zarr.config.config["default_zarr_format"]
3
"""

import threading

#: The settings as zarr-python 3 nests them; read it, change it with :func:`set`.
config = {
    "default_zarr_format": 3,
    "array": {"write_empty_chunks": False, "order": "C", "rectilinear_chunks": False},
}

#: For each key, the values this package can honour.
_ALLOWED = {
    "default_zarr_format": (2, 3),
    "array.write_empty_chunks": (True, False),
    "array.order": ("C",),
    "array.rectilinear_chunks": (False,),
}

_lock = threading.Lock()
#: The settings before any change, and the changes made by set() since, in
#: order: a change undone (the end of its with block) is taken out, so that
#: blocks that overlap in time (in two threads) each undo their own change.
_BASE = {key: None for key in _ALLOWED}
_layers = []


def _split(key):
    if key not in _ALLOWED:
        raise KeyError("zarr.config has no setting %r (it has %s)"
                       % (key, ", ".join(sorted(_ALLOWED))))
    parts = key.split(".")
    node = config
    for part in parts[:-1]:
        node = node[part]
    return node, parts[-1]


for _key in _BASE:
    _node, _last = _split(_key)
    _BASE[_key] = _node[_last]


def _recompute():
    for key, value in _BASE.items():
        for _, changes in _layers:
            value = changes.get(key, value)
        node, last = _split(key)
        node[last] = value


def get(key, default=None):
    """The value of ``key`` (dotted for nested settings: ``'array.order'``).

    Examples
    --------
    >>> get("array.write_empty_chunks")
    False
    """
    if isinstance(config.get(key), dict):  # a section: a copy of its settings
        return dict(config[key])
    try:
        node, last = _split(key)
    except KeyError:
        return default
    return node[last]


def _check(key, value):
    _split(key)
    allowed = _ALLOWED[key]
    if not any(value is a or (type(value) is type(a) and value == a) for a in allowed):
        raise NotImplementedError("zarr.config %s=%r: this package supports %s"
                                  % (key, value, " or ".join(repr(a) for a in allowed)))


class _Setting:
    """The change made by :func:`set`, undone when its ``with`` block ends."""

    def __init__(self, layer):
        self._layer = layer

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        with _lock:
            if self._layer in _layers:
                _layers.remove(self._layer)
            _recompute()
        return False


def set(values=None, **kwargs):  # noqa: A001  (zarr-python 3's name)
    """Change settings now; used as a context manager, restore them at its end.

    ``values`` is a dict of dotted keys; keywords name top-level keys (or
    dotted ones with ``__`` for the dot, as zarr-python 3 accepts).

    Examples
    --------
    >>> with set({"array.write_empty_chunks": True}):
    ...     get("array.write_empty_chunks")
    True
    >>> get("array.write_empty_chunks")
    False
    """
    changes = dict(values or {})
    changes.update({key.replace("__", "."): value for key, value in kwargs.items()})
    for key, value in changes.items():
        _check(key, value)
    layer = (object(), changes)
    with _lock:
        _layers.append(layer)
        _recompute()
    return _Setting(layer)

