"""The light part every page shares: the widgets (kit), the router's flags and warm-up thread (routing), the CSS
and the browser component (shell).

Its modules import Streamlit, core.labs, core.texts and core.links only, so Home paints before torch is imported.
The labs' heavy shared parts (data caches, image input, figures, tables) are in pages/sections/ (data.py,
widgets.py).
"""
