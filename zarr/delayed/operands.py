"""numpy over the arrays of this package: their ufuncs, operators and
reductions give delayed arrays, computed block by block.

``z + 1``, ``z > 5`` and ``numpy.log1p(z)`` on an array of this package give a
:class:`zarr.delayed.DelayedArray` over it, reading nothing;
``numpy.sum(z)``, ``numpy.mean(z, axis=0)``, ``numpy.max(z)`` and the other
reductions compute a block at a time in bounded memory. ``numpy.asarray(z)``
reads the whole array, and every other numpy function works on it as on
that ndarray, as before. ``==`` and ``!=`` keep Python's meaning (the same
array), so that arrays stay hashable: ``numpy.equal(z, x)`` compares values.

Examples
--------
>>> import numpy as np, zarr
>>> z = zarr.array(np.arange(10), chunks=3)
>>> d = np.sqrt(z) + 1
>>> type(d).__name__, float(d[4].compute()), int(np.sum(z)), np.max(z, axis=0)
('DelayedArray', 3.0, 45, np.int64(9))
"""

import numpy as np

from zarr.delayed.operators import install

#: The numpy functions an array of this package computes block by block.
REDUCTIONS = {np.sum: "sum", np.prod: "prod", np.mean: "mean", np.var: "var", np.std: "std",
              np.min: "min", np.max: "max", np.amin: "min", np.amax: "max", np.any: "any",
              np.all: "all", np.count_nonzero: "count_nonzero"}


def _delayed(value):
    from zarr.delayed.array import DelayedArray
    return DelayedArray(value) if isinstance(value, DelayedOperations) else value


class DelayedOperations:
    """What numpy's ufuncs, the operators and the reductions make of an array
    of this package (a mixin of :class:`zarr.Array`)."""

    __array_priority__ = 10

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__" or "out" in kwargs or "where" in kwargs:
            # Not element-wise, or into a given array: on the values in memory.
            inputs = tuple(np.asarray(x) if isinstance(x, DelayedOperations) else x
                           for x in inputs)
            if "out" in kwargs:
                kwargs["out"] = tuple(np.asarray(x) if isinstance(x, DelayedOperations) else x
                                      for x in kwargs["out"])
            return getattr(ufunc, method)(*inputs, **kwargs)
        return ufunc(*[_delayed(x) for x in inputs], **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        kind = REDUCTIONS.get(func)
        if kind is not None and args and args[0] is self and "out" not in kwargs:
            array = _delayed(self)
            if kind == "count_nonzero":
                return array.count_nonzero(*args[1:], **kwargs)
            return getattr(array, kind)(*args[1:], **kwargs)
        # Anything else, as numpy does it on the values (read through __array__).
        return func._implementation(*args, **kwargs)


install(DelayedOperations, equality=False)
