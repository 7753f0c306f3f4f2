"""Lecture: the slides in the lecture's order, each one click from the view that shows it."""

from itertools import groupby

import streamlit as st

from pages.ui.kit import header_ui
from pages.ui.routing import use_router

use_router()  # first: a run outside the router stops here, before the heavy imports

from core import claims, lecture


def verdict_link_ui(claim: str) -> None:
    """A claim's verdict, linked to Lecture claims (where its numbers are)."""
    label = claims.BY_NAME[claim].label(claims.evidence(claim))
    st.page_link(f"pages/{lecture.CLAIMS_PAGE}.py", label=label, icon=":material/fact_check:")


def slide_ui(index: int, slide: lecture.Slide) -> None:
    """One slide: its number and title as the link that opens its view, what the view shows, the claim's verdict."""
    page, title = lecture.slide_page(index), f"{index + 1}. {slide.title}"
    with st.container(horizontal=True, vertical_alignment="center"):
        if page is None:
            st.markdown(f"**{title}**")
        else:
            st.page_link(
                page, label=title, icon=":material/slideshow:", query_params=lecture.slide_query(index, projector=False)
            )
        for claim in slide.claims:
            verdict_link_ui(claim)
    st.caption(slide.shows)


header_ui("Lecture", "lecture.notice")
st.session_state.pop("lecture_slide", None)  # a slide opened from here again takes its settings again
for part, group in groupby(enumerate(lecture.SLIDES), key=lambda pair: pair[1].part):
    st.subheader(part)
    for index, slide in group:
        slide_ui(index, slide)
