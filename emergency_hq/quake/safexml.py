"""Loading untrusted XML: size limit first, then defusedxml with DTDs and entities refused.

The standard library's expat never fetches anything over the network; defusedxml adds the
refusal of DTDs, entity declarations and external references (billion laughs, XXE).
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from common.text import strip_control_characters


class BadDocument(ValueError):
    """The bytes are not a document we read; the message is one line for the operator."""


def load(data: bytes, *, max_bytes: int, what: str = "document") -> Element:
    if not data or not data.strip():
        raise BadDocument(f"the {what} is empty")
    if len(data) > max_bytes:
        raise BadDocument(f"the {what} is larger than the limit of {max_bytes} bytes")
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except ParseError as exc:
        raise BadDocument(f"the {what} is not well-formed XML (truncated?): {exc}") from None
    except DefusedXmlException as exc:
        raise BadDocument(
            f"the {what} declares a DTD or entities, which JMA never sends: {type(exc).__name__}"
        ) from None


def text(element: Element | None, path: str, ns: dict[str, str], default: str = "") -> str:
    if element is None:
        return default
    found = element.find(path, ns)
    if found is None or found.text is None:
        return default
    # XML 1.0 has no place for them, but what is stored and mailed never carries them.
    return strip_control_characters(found.text).strip()
