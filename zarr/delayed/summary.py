"""How a delayed array prints: its shape and type, and a numpy-style preview
of its corners, the only values computed for it."""

import itertools

import numpy as np

from zarr.delayed.indices import Run
from zarr.delayed.nodes import Subset

#: The values shown at each end of a dimension longer than twice this.
EDGE = 3


def summary(array):
    """The header line and the preview of ``array`` (a DelayedArray).

    Examples
    --------
    >>> import numpy as np
    >>> from zarr.delayed import DelayedArray
    >>> print(summary(DelayedArray(np.arange(100).reshape(10, 10)) * 2))
    <10 x 10> DelayedArray object of type 'int64'
    [[  0,   2,   4, ...,  14,  16,  18],
     [ 20,  22,  24, ...,  34,  36,  38],
     [ 40,  42,  44, ...,  54,  56,  58],
     ...,
     [140, 142, 144, ..., 154, 156, 158],
     [160, 162, 164, ..., 174, 176, 178],
     [180, 182, 184, ..., 194, 196, 198]]
    """
    shape = array.shape
    head = "<%s> DelayedArray object of type '%s'" % (
        " x ".join(str(n) for n in shape) or "scalar", array.dtype)
    if array.size == 0:
        return head
    node = array._node
    lead = ()
    if len(shape) > 2:  # the first matrix of the array
        lead = (0,) * (len(shape) - 2)
        head += "\nits first matrix, [%s, :, :]:" % ", ".join("0" for _ in lead)
    tail = shape[len(lead):]
    ends = [_ends(n) for n in tail]
    parts = []
    for box in itertools.product(*ends):  # each corner read as one box
        sub = Subset(node, lead + box)
        parts.append(sub.read(tuple(Run(0, 1, n) for n in sub.shape)))
    values = _assemble(parts, [len(e) for e in ends])
    return head + "\n" + _format(values, [len(e) == 2 for e in ends])


def _ends(n):
    """The runs of positions shown of a dimension of length ``n``."""
    if n > 2 * EDGE:
        return [Run(0, 1, EDGE), Run(n - EDGE, 1, EDGE)]
    return [Run(0, 1, n)]


def _assemble(parts, counts, axis=0):
    """The boxes of ``parts`` (in itertools.product order) put together."""
    if axis == len(counts):
        return parts[0]
    size = len(parts) // counts[axis]
    return np.concatenate([_assemble(parts[i * size:(i + 1) * size], counts, axis + 1)
                           for i in range(counts[axis])], axis=axis)


#: What numpy puts between the values it formats, split on here: a character
#: no value's text holds (a comma may be in a string's).
_SEP = "\x00"


def _format(values, cuts):
    if values.ndim == 0:
        return np.array2string(values)
    text = np.array2string(values, separator=_SEP, threshold=values.size + 1,
                           max_line_width=1 << 30)
    if values.ndim == 1:
        cells = text[1:-1].split(_SEP)
        width = max(len(c) for c in cells)
        cells = [c.rjust(width) for c in cells]
        if cuts[0]:
            cells = cells[:EDGE] + ["..."] + cells[EDGE:]
        return "[" + ", ".join(cells) + "]"
    cells = []
    for row in text[1:-1].split("\n"):  # "[a<SEP>b]<SEP>", then " [c<SEP>d]"
        row = row.strip()
        row = row[:-1] if row.endswith(_SEP) else row
        cells.append(row[1:-1].split(_SEP))
    width = max(len(c) for row in cells for c in row)
    lines = []
    for row in cells:
        row = [c.rjust(width) for c in row]
        if cuts[1]:
            row = row[:EDGE] + ["..."] + row[EDGE:]
        lines.append("[" + ", ".join(row) + "]")
    if cuts[0]:
        lines = lines[:EDGE] + ["..."] + lines[EDGE:]
    return "[" + ",\n ".join(lines) + "]"
