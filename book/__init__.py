"""The course-site generator: a Jupyter Book 1 / myst-nb extension, build driver and
instructor CLI."""

__version__ = "0.1.0"
