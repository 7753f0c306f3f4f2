"""Lecture claims: every claim of the lecture next to what this app's own experiments measure."""

import streamlit as st

from app import explain, projector_mode, use_router
from core import claims

use_router()

PAGE_TITLES = {
    claims.REGULARIZATION: "Regularization Lab",
    claims.MC: "MC Dropout Lab",
    claims.BATCHNORM: "BatchNorm Lab",
}


@st.cache_data(show_spinner="Measuring every claim from the shipped records…")
def claim_table() -> list[dict[str, object]]:
    return claims.table()


def table_section(rows: list[dict[str, object]]) -> None:
    shown = sum(row["verdict"] == claims.SHOWN for row in rows)
    st.metric("Claims shown by this app's experiments", f"{shown} of {len(rows)}")
    display = [
        {
            "claim": claims.BY_NAME[row["claim"]].statement,
            "slide": row["slide"],
            "measured effect": f"{row['effect']:+.3g} ± {row['spread']:.2g} {row['unit']}"
            if row["seeds"] > 1
            else f"{row['effect']:+.3g} {row['unit']} (deterministic)",
            "verdict": "✅ shown" if row["verdict"] == claims.SHOWN else "⚠️ not shown",
            "where": f"./{row['page'].removeprefix('pages/').removesuffix('.py')}",
            "section": row["section"],
        }
        for row in rows
    ]
    st.dataframe(
        display,
        hide_index=True,
        column_config={
            "claim": st.column_config.TextColumn(width="large"),
            "where": st.column_config.LinkColumn("page", display_text=r"\./(.*)$"),
        },
    )


def details_section(rows: list[dict[str, object]]) -> None:
    for page, title in PAGE_TITLES.items():
        st.page_link(page, label=title, icon=":material/arrow_forward:")
        for row in (r for r in rows if r["page"] == page):
            with st.expander(f"{row['section']}: {row['claim']} ({row['verdict']})"):
                st.markdown(claims.sentence(row["claim"], short=projector_mode()))


st.title("Lecture claims")
explain("claims.notice", "info")
rows = claim_table()
table_section(rows)
st.subheader("Each claim, with its numbers")
details_section(rows)
