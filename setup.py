"""The one compiled module of npsloop; everything else is declared in pyproject.toml.

`npsloop score` reads large CSV files with it (src/npsloop/calculator/_csvscan.c). It is
optional: where it cannot be compiled the package installs without it and the calculator
reads CSV with Arrow alone, which gives the same answers, more slowly.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "npsloop.calculator._csvscan",
            sources=["src/npsloop/calculator/_csvscan.c"],
            optional=True,
        )
    ]
)
