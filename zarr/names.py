"""Names of the members of groups: checking them and joining them into paths."""


def split_name(name):
    """The components of a member's name, ``'a/b/c'`` -> ``('a', 'b', 'c')``.

    A name is one or more components joined by ``/``. It may not be empty,
    begin or end with ``/``, hold an empty component (``a//b``), ``.`` or
    ``..`` (which would leave the group), a component beginning with ``.``
    (reserved for metadata and temporary files), a backslash or a NUL.
    Each of those raises ValueError; a name that is not a string, TypeError.

    Examples
    --------
    >>> split_name("a/b/x")
    ('a', 'b', 'x')
    >>> split_name("../x")
    Traceback (most recent call last):
    ...
    ValueError: bad name '../x': '..' would leave the group
    """
    if not isinstance(name, str):
        raise TypeError("a member's name must be a string, not %r" % (name,))
    if not name:
        raise ValueError("a member's name may not be empty")
    if name.startswith("/") or name.endswith("/"):
        raise ValueError("bad name %r: a name may not begin or end with '/'" % name)
    if "\\" in name or "\x00" in name:
        raise ValueError("bad name %r: a name may not hold a backslash or a NUL" % name)
    parts = tuple(name.split("/"))
    for part in parts:
        if not part:
            raise ValueError("bad name %r: empty component between '/'" % name)
        if part in (".", ".."):
            raise ValueError("bad name %r: %r would leave the group" % (name, part))
        if part.startswith("."):
            raise ValueError("bad name %r: components beginning with '.' are reserved "
                             "for metadata" % name)
    return parts


def join_path(*parts):
    """Join path components, skipping empty ones.

    Examples
    --------
    >>> join_path("", "a", "b/c")
    'a/b/c'
    """
    return "/".join(p for p in parts if p)


def node_path(path):
    """Where a node is asked to be in its store: ``''`` (its top) for None or
    ``''``, else a name as :func:`split_name` checks it (no leading ``/``, no
    component beginning with ``.``), so that no path given by a user shadows
    metadata or means the top by accident.

    Examples
    --------
    >>> node_path(None), node_path("a/b")
    ('', 'a/b')
    """
    if path is None or path == "":
        return ""
    return "/".join(split_name(path))
