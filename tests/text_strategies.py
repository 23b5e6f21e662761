"""Hypothesis strategies for text people type: any Unicode, with the awkward cases made likely."""

from hypothesis import strategies as st

C0_CONTROLS = [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"]
AWKWARD = [
    "\t",
    "\n",
    "\r",
    "\x7f",
    "\u0085",
    "\u00a0",
    "\u3000",  # ideographic space
    "\U0001f4a5",  # 4-byte emoji
    "\U0001f1ef\U0001f1f5",  # a flag: two regional indicators
    "\u202e",  # right-to-left override
    "\u202d",
    "\u2066",
    "\u2069",
    "\u200f",
    "\u200b",
    "\ufeff",
    "\ufffd",
    "\u0301",  # a combining mark with nothing to combine with
    "停止",
    "<script>",
    "&amp;",
    "]]>",
]

# Pieces rather than single characters, so that whole words and markup fragments appear too.
typed_text = st.lists(
    st.one_of(st.characters(), st.sampled_from(C0_CONTROLS), st.sampled_from(AWKWARD)),
    max_size=40,
).map("".join)


def property_settings(max_examples: int):
    """Hypothesis settings of the text properties: no deadline (the services hit PostgreSQL)."""
    from hypothesis import HealthCheck, settings

    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
