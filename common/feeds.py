"""Atom feeds that never fail on stored text and never turn plain text into HTML."""

from xml.sax.saxutils import escape

from django.utils.feedgenerator import Atom1Feed
from django.utils.xmlutils import SimplerXMLGenerator

from .text import strip_control_characters


def _clean(value):
    if isinstance(value, str):
        return strip_control_characters(value)
    if isinstance(value, list | tuple):
        return type(value)(_clean(v) for v in value)
    return value


class _XMLGenerator(SimplerXMLGenerator):
    """Writes a carriage return as ``&#13;``: a bare one reads back as a newline (XML's
    end-of-line handling), so a message would not be the text that was stored."""

    def characters(self, content):
        if content and "\r" in content:
            self._finish_pending_start_element()
            self._write(escape(content).replace("\r", "&#13;"))
            return
        super().characters(content)


class SafeAtom1Feed(Atom1Feed):
    """XML 1.0 has no C0 control characters: one stored in a message or a name would make
    the whole feed a 500 for everyone. They are dropped here, whatever the input path was."""

    def write(self, outfile, encoding):
        self.feed = {key: _clean(value) for key, value in self.feed.items()}
        self.items = [{key: _clean(value) for key, value in item.items()} for item in self.items]
        handler = _XMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")


class PlainTextAtom1Feed(SafeAtom1Feed):
    """Summaries are plain text (``type="text"``): Atom's default ``type="html"`` would let a
    feed reader render markup typed into a status message as live HTML."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})
