"""Reference tables generated from the declared code, so the docs cannot disagree with it: the
cell options (what each does, found by applying it) and the course's ``_config.yml`` sections.
Rendered into the course's guide by the ``{course-reference}`` directive (``book.sphinx``) and
into docs/ by ``python -m book docs``."""
