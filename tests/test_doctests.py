"""Every module's docstring examples run, so the examples a reader copies stay true."""
import doctest
import importlib
import pkgutil

import pytest

import kg

MODULES = sorted(info.name for info in pkgutil.iter_modules(kg.__path__, "kg."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    assert doctest.testmod(module, optionflags=doctest.ELLIPSIS).failed == 0
