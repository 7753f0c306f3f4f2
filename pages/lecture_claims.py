"""Lecture claims: every claim of the lecture next to what this app's own experiments measure."""

import streamlit as st

from pages.ui.kit import header_ui, narrow_viewport, projector_mode
from pages.ui.routing import use_router

use_router()  # first: a run outside the router stops here, before the heavy imports

from core import claim_rules, claims, labs, lecture
from core.cards import cards_markdown
from pages.sections.widgets import plot

# The labs in the order their claims are listed below the table.
PAGE_TITLES = {lab.page: lab.title for lab in (labs.REGULARIZATION, labs.MC_DROPOUT, labs.BATCHNORM, labs.STUDIO)}


def table_section(rows: list[dict[str, object]]) -> None:
    shown, projected = sum(row["verdict"] == claims.SHOWN for row in rows), projector_mode()
    st.metric("Claims shown by this app's experiments", f"{shown} of {len(rows)}")
    plot("verdicts", claims.verdicts_figure, rows, lecture.claim_parts(), content="recorded")
    table = [
        {
            "claim": claims.BY_NAME[row["claim"]].statement,
            "slide": row["slide"],
            "measured effect": row["text"],
            "verdict": row["label"],
            "where": f"[{PAGE_TITLES[row['page']]} › {row['section']}]({labs.tab_link(row['section'], projected)})",
        }
        for row in rows
    ]
    if narrow_viewport():  # a card per claim: a five-column table cut the verdict off at 390 px
        st.markdown(cards_markdown(table))
    else:  # a static table: the statements wrap, so the whole table reads from the back row without scrolling
        st.table(table)


def details_section(rows: list[dict[str, object]]) -> None:
    for page, title in PAGE_TITLES.items():
        st.page_link(page, label=title, icon=":material/arrow_forward:")
        for row in (r for r in rows if r["page"] == page):
            with st.expander(f"{row['section']}: {row['claim']} ({row['label']})"):
                st.markdown(claims.sentence(row["claim"], short=projector_mode()))


header_ui("Lecture claims", "claims.notice")
st.caption(claim_rules.RULE)
st.caption(claim_rules.DESIGN)
rows = claims.table()
table_section(rows)
st.subheader("Each claim, with its numbers")
details_section(rows)
