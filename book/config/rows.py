"""The rows of the parity table (``book.config.parity``): each Jupyter Book setting, what the
course's build does with it, and the values it refuses with why and what to write instead.

A row: (key, kind, what the build does, refused values, why, instead). Kinds: ``same`` (as
``jupyter-book build``), ``differs`` (honoured, the difference said), ``refused``.
"""

from __future__ import annotations

ALL = ("*",)
PDF = (
    "same: used by PDF builds (`jupyter-book build --builder pdflatex .`); `make html` makes "
    "the HTML site only, where stock Jupyter Book does not read it either"
)
LAUNCH = "same: a button on each lab page opens the lab's own file ({}); needs `repository.url`"

ROWS: list[tuple] = [
    ("title", "same", "the site's title (`html_title`), shown above the navigation"),
    ("author", "same", "the author in the footer"),
    ("copyright", "same", "the copyright year in the footer"),
    ("logo", "same", "the logo above the navigation (`html_logo`)"),
    ("project", "same", "Sphinx's `project`"),
    ("exclude_patterns", "same", "files not read as pages (Jupyter Book's defaults added)"),
    (
        "only_build_toc_files",
        "differs",
        "`true`: only the pages `_toc.yml` lists are built, as stock",
        (False,),
        "the course publishes only the pages its _toc.yml lists: a page outside it would be "
        "published without the course checks or its release date, and Sphinx's warning about "
        "it fails the build",
        "list the page in _toc.yml, or add it to exclude_patterns",
    ),
    ("bibtex_bibfiles", "same", "loads sphinxcontrib-bibtex with these files"),
    ("bibtex_reference_style", "same", "loads sphinxcontrib-bibtex (the style is its default)"),
    (
        "bibtex_default_style",
        "refused",
        "—",
        ALL,
        "Jupyter Book 1 does not pass it on from the top level: it would do nothing",
        "set it under 'sphinx: config:' as bibtex_default_style",
    ),
    (
        "bibtex_bibliography_header",
        "refused",
        "—",
        ALL,
        "Jupyter Book 1 does not pass it on from the top level: it would do nothing",
        "set it under 'sphinx: config:' as bibtex_bibliography_header",
    ),
    ("parse.myst_enable_extensions", "same", "MyST's syntax extensions"),
    ("parse.myst_url_schemes", "same", "URL schemes MyST links"),
    ("parse.myst_substitutions", "same", "MyST's substitutions"),
    (
        "parse.myst_dmath_double_inline",
        "refused",
        "—",
        ALL,
        "Jupyter Book 1 passes only myst_enable_extensions, myst_url_schemes and "
        "myst_substitutions from 'parse:' on to MyST: it would do nothing",
        "set it under 'sphinx: config:' as myst_dmath_double_inline",
    ),
    (
        "execute.execute_notebooks",
        "differs",
        "`off`: no lab runs (pages show code without outputs); `force`: every lab runs again; "
        "`cache`: labs run when changed, kept in `execute.cache`; `auto` (the default) is "
        "`cache`: stock runs a lab missing outputs on every build without keeping them, and "
        "keeps an `.ipynb` lab's saved outputs, while the course runs every lab itself and "
        "keeps the result (pages show what the build ran)",
        ("inline",),
        "the course runs labs before Sphinx, in parallel and confined, never inside Sphinx",
        "cache (or force, to run every lab again)",
    ),
    ("execute.cache", "same", "the folder of the execution cache"),
    (
        "execute.exclude_patterns",
        "same",
        "labs matching a pattern do not run; their pages show code without outputs",
    ),
    (
        "execute.timeout",
        "differs",
        "seconds one cell may run (a lab's `execution: {timeout: N}` wins)",
        (-1, 0),
        "a cell without a time limit that hangs would hold the build for ever",
        "a number of seconds, e.g. 300 (a lab may set its own: 'execution: {timeout: N}')",
    ),
    (
        "execute.allow_errors",
        "same",
        "`true`: a cell that raises shows its error and the lab runs on. A cell's own "
        "`#| error: false` wins over it (the cell's option is the more specific, as in Quarto); "
        "`#| error: true` lets one cell raise when this is `false`",
    ),
    (
        "execute.raise_on_error",
        "differs",
        "`true` (the course's rule): a cell that raises fails the build",
        (False,),
        "a lab that raises fails the course's build: a page never shows a lab stopped half-way "
        "by accident",
        "execute.allow_errors: true (every cell), or '#| error: true' on the cell meant to raise",
    ),
    (
        "execute.show_tb",
        "differs",
        "`true`: as stock, a failure shows the cell's traceback",
        (False,),
        "a failing lab always names its cell, its line and the traceback's last frames",
        "remove the key",
    ),
    ("execute.eval_regex", "same", "which variables myst-nb's `eval` role may show"),
    (
        "execute.run_in_temp",
        "differs",
        "`true`: a lab runs in an empty throw-away folder, as stock; `false` (the default): "
        "the files beside the lab are copied into its throw-away working folder, so "
        "`open('data.csv')` reads the file beside the lab as in stock; what a lab writes stays "
        "in its throw-away folder (labs cannot change the course)",
    ),
    (
        "execute.stderr_output",
        "differs",
        "`show`, `remove` as stock; `remove-warn`, `warn`, `error`, `severe` fail the build "
        "when a lab prints to stderr, naming the lab and this key (the course's build treats "
        "warnings as errors, as `jupyter-book build -W` does)",
    ),
    ("execute.scheduler", "course", "the course's own: a Dask scheduler that runs the labs"),
    ("html.favicon", "same", "the site's icon"),
    ("html.baseurl", "same", "the site's address, for links to pages"),
    ("html.use_multitoc_numbering", "same", "numbering across parts"),
    ("html.home_page_in_navbar", "same", "the home page in the navigation"),
    ("html.extra_footer", "same", "HTML below the footer"),
    ("html.announcement", "same", "a banner at the top of every page"),
    (
        "html.use_repository_button",
        "same",
        "a button to the repository (needs `repository.url`)",
    ),
    (
        "html.use_edit_page_button",
        "same",
        "a button to edit the page's source (needs `repository.url`)",
    ),
    ("html.use_issues_button", "same", "a button to open an issue (needs `repository.url`)"),
    ("html.analytics.google_analytics_id", "same", "Google Analytics on every page"),
    ("html.analytics.plausible_analytics_domain", "same", "Plausible Analytics on every page"),
    ("html.analytics.plausible_analytics_url", "same", "Plausible's script address"),
    (
        "html.google_analytics_id",
        "same",
        "the old spelling of `html.analytics.google_analytics_id` (Jupyter Book warns)",
    ),
    ("html.comments.hypothesis", "same", "Hypothesis annotations (sphinx-comments)"),
    ("html.comments.utterances", "same", "utterances comments (sphinx-comments)"),
    (
        "html.navbar_footer_text",
        "refused",
        "—",
        ALL,
        "sphinx-book-theme 1 no longer has it (Sphinx warns of an unsupported theme option)",
        "html.extra_footer",
    ),
    ("latex.latex_engine", "same", PDF),
    ("latex.use_jupyterbook_latex", "same", PDF),
    ("latex.latex_documents", "same", PDF),
    (
        "launch_buttons.notebook_interface",
        "same",
        "`classic` or `jupyterlab`: where the Binder and JupyterHub buttons open a lab",
    ),
    ("launch_buttons.binderhub_url", "same", LAUNCH.format("Binder")),
    (
        "launch_buttons.jupyterhub_url",
        "same",
        LAUNCH.format("through nbgitpuller; a `.md` or `.qmd` lab opens as a text notebook"),
    ),
    (
        "launch_buttons.colab_url",
        "differs",
        LAUNCH.format("GitHub repositories only") + "; on `.ipynb` labs only: Colab opens "
        "notebooks, not `.md` files (stock links them anyway)",
    ),
    ("launch_buttons.deepnote_url", "same", LAUNCH.format("GitHub repositories only")),
    (
        "launch_buttons.thebe",
        "differs",
        "`false`, as stock",
        (True,),
        "live code in the page needs a Binder kernel with the course's packages and data for "
        "every reader, and would show outputs the build did not run or check",
        "launch_buttons.binderhub_url or jupyterhub_url: a button that opens the lab",
    ),
    ("repository.url", "same", "the repository the buttons link to"),
    ("repository.branch", "same", "the branch the buttons link to"),
    ("repository.path_to_book", "same", "the course's folder in the repository"),
    (
        "sphinx.config",
        "differs",
        "Sphinx settings, merged with what Jupyter Book derives from the keys above: "
        "`html_theme_options` key by key, and `extensions` extended with "
        "`extra_extensions`, `local_extensions` and bibtex (stock replaces both whole, so "
        "`html.*`, `repository.*` and `launch_buttons.*` stop working)",
    ),
    (
        "sphinx.extra_extensions",
        "same",
        "extensions loaded (a missing one names the package to add to requirements/course.txt)",
    ),
    (
        "sphinx.local_extensions",
        "same",
        "the course's own extensions, from its folders (a missing one names its line)",
    ),
    (
        "sphinx.recursive_update",
        "differs",
        "`true`: as stock; the course always merges `sphinx.config`",
        (False,),
        "the course always merges 'sphinx: config:' into what Jupyter Book derives, so that "
        "html.*, repository.* and launch_buttons.* keep working",
        "remove the key; set a theme option under html: or launch_buttons: instead of replacing it",
    ),
]
