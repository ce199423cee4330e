"""Links to pages not yet released, rendered as their text and "(from DATE)".

The build leaves sessions not yet released out of Sphinx (``book.release.schedule``), and hands it
what each one is called and the labels it holds (``book_unreleased``). Before MyST and Sphinx
resolve references, every ``{doc}``, ``{ref}`` and Markdown link to one of them becomes its text
followed by "(from DATE)": the page does not break, and it links nothing students cannot open.
The course checks name each such link's file and line (``book.release.links``); under
``release: {links: error}`` they stop the build before Sphinx, and nothing is done here.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform

from book.release.links import target_of


def _kind(node: addnodes.pending_xref) -> tuple[str, str] | None:
    """How a reference names its target: ``doc``, ``ref`` or a Markdown ``link``."""
    reftype, domain = node.get("reftype"), node.get("refdomain")
    target = str(node.get("reftarget") or "")
    if reftype == "doc":
        return "doc", target
    if reftype in ("ref", "numref"):
        return "ref", target
    if reftype == "myst":
        return ("doc", "/" + target) if domain == "doc" else ("link", target)
    return None


class UnlinkUnreleased(SphinxPostTransform):
    default_priority = 5  # before MyST's resolver (9) and Sphinx's (10)

    def run(self, **kwargs) -> None:
        pages = self.config.book_unreleased or {}
        if not pages or self.config.book_release_links == "error":
            return
        refs = [*self.document.findall(addnodes.pending_xref)]
        refs += [*self.document.findall(addnodes.download_reference)]
        for node in refs:
            kind = (
                ("link", str(node.get("reftarget") or ""))
                if isinstance(node, addnodes.download_reference)
                else _kind(node)
            )
            if kind is None:
                continue
            doc = target_of(*kind, node.get("refdoc") or self.env.docname, pages)
            if doc is None:
                continue
            text = node.astext() if node.get("refexplicit") else ""
            text = text or pages[doc].get("title") or node.astext() or kind[1]
            when = pages[doc]["from"]
            node.replace_self(
                nodes.inline(
                    text,
                    f"{text} (from {when})" if when else text,
                    classes=["unreleased-link"],
                )
            )


class NothingReleasedYet(SphinxTransform):
    """A ``{tableofcontents}`` whose every page is held back (not yet released, or drafts, as at
    the start of a term) says so in the course's words, instead of being the empty list that
    sphinx-external-toc warns about (the warning would stop the build). Runs before its
    transform (priority 100); a page with no pages under it for another reason still warns."""

    default_priority = 90

    def apply(self, **kwargs) -> None:
        if not self.config.book_unreleased:
            return
        from sphinx_external_toc.events import TableOfContentsNode

        site_map = getattr(self.env, "external_site_map", None)
        item = site_map.get(self.env.docname) if site_map is not None else None
        if item is not None and item.subtrees:
            return
        words = self.config.book_words
        for node in list(self.document.findall(TableOfContentsNode)):
            node.replace_self(
                nodes.paragraph("", words("nothing_released"), classes=["nothing-released"])
            )


def setup(app: Sphinx) -> dict:
    app.add_config_value("book_unreleased", {}, "", types=[dict])
    app.add_config_value("book_release_links", "unlinked", "", types=[str])
    app.add_post_transform(UnlinkUnreleased)
    app.add_transform(NothingReleasedYet)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
