"""Python's operators as the numpy ufuncs they stand for, on a class."""

import numpy as np

#: (the operator's name, its ufunc): those with a reflected form (``__radd__``).
ARITHMETIC = [("add", np.add), ("sub", np.subtract), ("mul", np.multiply),
              ("truediv", np.true_divide), ("floordiv", np.floor_divide),
              ("mod", np.remainder), ("pow", np.power), ("and", np.bitwise_and),
              ("or", np.bitwise_or), ("xor", np.bitwise_xor), ("lshift", np.left_shift),
              ("rshift", np.right_shift), ("divmod", np.divmod)]
ORDER = [("lt", np.less), ("le", np.less_equal), ("gt", np.greater),
         ("ge", np.greater_equal)]
EQUALITY = [("eq", np.equal), ("ne", np.not_equal)]
UNARY = [("neg", np.negative), ("pos", np.positive), ("abs", np.absolute),
         ("invert", np.invert)]


def _binary(ufunc):
    def forward(self, other):
        return ufunc(self, other)

    def backward(self, other):
        return ufunc(other, self)
    return forward, backward


def _unary(ufunc):
    return lambda self: ufunc(self)


def install(cls, equality=True):
    """Give ``cls`` the arithmetic, order and unary operators (and ``==``,
    ``!=`` with ``equality``, which makes its instances unhashable) as calls
    of their ufuncs.

    Examples
    --------
    >>> class Box:
    ...     def __init__(self, v):
    ...         self.v = v
    ...     def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
    ...         return ufunc(*[x.v if isinstance(x, Box) else x for x in inputs])
    >>> _ = install(Box, equality=False)
    >>> Box(np.arange(3)) * 2, 10 - Box(1), -Box(2.5)
    (array([0, 2, 4]), np.int64(9), np.float64(-2.5))
    """
    for name, ufunc in ARITHMETIC:
        forward, backward = _binary(ufunc)
        setattr(cls, "__%s__" % name, forward)
        setattr(cls, "__r%s__" % name, backward)
    for name, ufunc in ORDER + (EQUALITY if equality else []):
        setattr(cls, "__%s__" % name, _binary(ufunc)[0])
    for name, ufunc in UNARY:
        setattr(cls, "__%s__" % name, _unary(ufunc))
    if equality:
        cls.__hash__ = None
    return cls
