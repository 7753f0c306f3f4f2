"""A headless Streamlit session: speaks the websocket protocol a browser tab speaks, without rendering.

The server cannot tell it from a browser: it opens /_stcore/stream, asks for script runs with the widget
states a user would produce (values in their wire format), uploads files through /_stcore/upload_file with
the XSRF cookie, and reads the ForwardMsgs back. A run ends with ``script_finished`` and, as in a browser,
with the pictures it shows fetched from their media URLs (each URL once per tab: a browser does not fetch a
picture it already shows again); its latency is measured from sending the request to then. Plain HTTP GETs
never run the script; this does.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

import requests
import websockets
from requests.adapters import HTTPAdapter
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Block_pb2 import Block
from streamlit.proto.Common_pb2 import FileURLs, UploadedFileInfo
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.WidgetStates_pb2 import WidgetState
from urllib3.util import Retry

from tests.server import SERVED_BY

RUN_TIMEOUT = 300.0  # seconds; a first run on a cold server imports torch and fills caches
MAX_MESSAGE = 64 * 2**20  # figures and images of a whole page arrive as single messages


class RunError(RuntimeError):
    """The run showed an exception or an error box, or could not finish."""


@dataclass
class RunResult:
    seconds: float  # request sent -> script_finished received
    elements: list[Element] = field(default_factory=list)


def _widget_key(widget_id: str) -> str:
    """Streamlit's ids read ``$$ID-<hash>-<user key>``."""
    return widget_id.split("-", 2)[2] if widget_id.startswith("$$ID-") else widget_id


def _url_text(value: object) -> str:
    """A widget value as Streamlit writes it in a URL: 5.0 -> "5", True -> "true"."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def image_urls(elements: Iterable[Element]) -> list[str]:
    """The media URLs of the pictures among ``elements`` (st.image), which the browser then fetches."""
    return [image.url for element in elements if element.WhichOneof("type") == "imgs" for image in element.imgs.imgs]


class Session:
    """One user's tab. ``await Session.open(url, page)``, then ``set``/``click``/``upload`` and ``close``."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        # User key -> the widget's element as last rendered; for tabs that track state (``st.tabs(key=...,
        # bind=...)``), a widget too, their block. Only the open tab's widgets are there: closed tabs draw nothing.
        self.widgets: dict[str, Element | Block] = {}
        self._fragment_of: dict[str, str] = {}  # user key -> id of the st.fragment drawing it ("" if none)
        self._path_of: dict[str, tuple[int, ...]] = {}  # user key -> its place in the page (delta path)
        self.session_id = ""
        self._socket: websockets.ClientConnection | None = None
        self._states: dict[str, WidgetState] = {}  # widget id -> the value this user gave it
        self._query = ""
        self._page_hash = ""
        self._path = ""  # the page's URL path, as in the browser's address bar
        self._http = requests.Session()
        # As a browser does, a GET that meets a keep-alive connection the server has just closed (uvicorn closes
        # idle ones after 5 s, about a student's pause) is sent again once on a new connection.
        retry_once = Retry(total=1, connect=1, read=1, status=0, allowed_methods={"GET"}, raise_on_status=False)
        self._http.mount("http://", HTTPAdapter(max_retries=retry_once))
        self.served_by: set[str] = set()  # behind deploy/'s load balancer: the replicas that answered this tab
        self._fetched: set[str] = set()  # media URLs this tab has fetched (its pictures)

    @property
    def address(self) -> tuple[str, str]:
        """(page, query) of the tab's address bar: what *Share this view* offers (bound widgets write it)."""
        return self._path, self._query

    @property
    def cookies(self) -> requests.cookies.RequestsCookieJar:
        """The cookies this tab's browser holds (XSRF, and behind a load balancer the replica's)."""
        return self._http.cookies

    @classmethod
    async def open(
        cls, base_url: str, page: str, query: str = "", cookies: requests.cookies.RequestsCookieJar | None = None
    ) -> tuple[Session, RunResult]:
        """Connect like a browser opening ``base_url/page?query`` and wait for the page to finish.

        ``cookies``: the browser's cookies from before, as when a tab reloads.
        """
        session = cls(base_url)
        session._query = query
        session._http.cookies.update(cookies or {})
        # As the browser's first call: the health check sets the XSRF cookie that uploads must echo back (and,
        # behind a load balancer, the cookie that keeps the tab on one replica).
        await session.fetch("/_stcore/health")
        session._socket = await websockets.connect(
            base_url.replace("http", "ws", 1) + "/_stcore/stream",
            subprotocols=["streamlit"],
            origin=base_url,
            max_size=MAX_MESSAGE,
            open_timeout=60,
            additional_headers={"Cookie": "; ".join(f"{c.name}={c.value}" for c in session._http.cookies)},
        )
        session._note_server(session._socket.response.headers)
        return session, await session._run(page=page)

    async def fetch(self, path: str) -> requests.Response:
        """GET ``path`` (e.g. a media URL the page shows) with this tab's cookies, as the browser does."""
        response = await asyncio.to_thread(self._http.get, self.base_url + path, timeout=60)
        self._note_server(response.headers)
        return response

    def _note_server(self, headers) -> None:
        if SERVED_BY in headers:
            self.served_by.add(headers[SERVED_BY])

    async def goto(self, page: str) -> RunResult:
        """Follow the menu to another page (its URL path, "" for Home), as a click in the sidebar does."""
        self._query = ""
        return await self._run(page=page)

    async def rerun(self) -> RunResult:
        """Run the page again with nothing changed (what pressing R does)."""
        return await self._run()

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        self._http.close()

    def _id(self, key: str) -> str:
        if key not in self.widgets:
            raise KeyError(f"no widget with key {key!r} on this page; have {sorted(self.widgets)}")
        kind = self.widgets[key].WhichOneof("type")
        return getattr(self.widgets[key], kind).id

    async def set(self, key: str, value: object) -> RunResult:
        """Give the widget ``key`` a value (as a user would) and wait for the rerun; for tabs, open the tab
        labelled ``value``."""
        element = self.widgets.get(key)
        state = WidgetState(id=self._id(key))
        kind = element.WhichOneof("type")
        if kind == "slider" and element.slider.type == element.slider.SELECT_SLIDER:
            state.string_array_value.data[:] = [str(value)]
        elif kind == "slider":
            state.double_array_value.data[:] = [float(value)]
        elif kind in ("selectbox", "radio"):
            state.string_value = str(value)
        elif kind in ("button_group", "multiselect"):
            state.string_array_value.data[:] = [str(v) for v in (value if isinstance(value, list) else [value])]
        elif kind == "checkbox":
            state.bool_value = bool(value)
        elif kind == "number_input" and element.number_input.data_type == NumberInput.INT:
            state.int_value = int(value)
        elif kind == "number_input":
            state.double_value = float(value)
        elif kind == "tab_container":  # the open tab's label
            state.string_value = str(value)
        else:
            raise TypeError(f"setting a {kind} is not supported")
        self._states[state.id] = state
        self._write_to_url(element, value)
        return await self._run(fragment=self._fragment_of.get(key, ""))

    def _write_to_url(self, element: Element | Block, value: object) -> None:
        """As the browser does for a widget bound to the URL (``bind="query-params"``): put its value in the query."""
        widget = getattr(element, element.WhichOneof("type"))
        key = getattr(widget, "query_param_key", "")
        if key:
            values = value if isinstance(value, list) else [value]
            if element.WhichOneof("type") == "tab_container" and value == widget.default_tab_label:
                values = []  # the first tab is the link without the parameter
            params = [(name, text) for name, text in parse_qsl(self._query, keep_blank_values=True) if name != key]
            self._query = urlencode(params + [(key, _url_text(item)) for item in values])

    async def click(self, key: str) -> RunResult:
        """Press a button (a one-off trigger, as in the browser)."""
        trigger = WidgetState(id=self._id(key), trigger_value=True)
        return await self._run(triggers=[trigger], fragment=self._fragment_of.get(key, ""))

    async def upload(self, key: str, name: str, data: bytes, mime: str = "image/png") -> RunResult:
        """Choose ``name`` in the file uploader ``key``: PUT the bytes, then rerun with the file's info."""
        file_id = str(uuid.uuid4())
        url = f"{self.base_url}/_stcore/upload_file/{self.session_id}/{file_id}"
        token = self._http.cookies.get("_streamlit_xsrf", "")
        response = await asyncio.to_thread(
            self._http.put, url, files={"file": (name, data, mime)}, headers={"X-Xsrftoken": token}, timeout=60
        )
        self._note_server(response.headers)
        if response.status_code != 204:
            raise RunError(f"upload refused: HTTP {response.status_code} {response.text[:200]}")
        state = WidgetState(id=self._id(key))
        info = UploadedFileInfo(name=name, size=len(data), file_id=file_id)
        info.file_urls.CopyFrom(FileURLs(file_id=file_id, upload_url=url, delete_url=url))
        state.file_uploader_state_value.uploaded_file_info.append(info)
        self._states[state.id] = state
        return await self._run(fragment=self._fragment_of.get(key, ""))

    async def _run(
        self, page: str | None = None, triggers: Iterable[WidgetState] = (), fragment: str = ""
    ) -> RunResult:
        """One script run: on ``page`` (a URL path) if given, else on the current page; only ``fragment`` if set.

        As in the browser, a widget inside an ``st.fragment`` reruns just that fragment.
        """
        message = BackMsg()
        request = message.rerun_script
        self._path = self._path if page is None else page
        request.query_string = self._query
        request.context_info.url = f"{self.base_url}/{self._path}"  # the browser reports where it is (st.context.url)
        request.page_name = page or ""
        request.page_script_hash = "" if page is not None else self._page_hash
        request.fragment_id = fragment
        request.widget_states.widgets.extend([*self._states.values(), *triggers])
        started = time.perf_counter()
        await self._socket.send(message.SerializeToString())
        drawn, blocks = await asyncio.wait_for(self._read_until_finished(), RUN_TIMEOUT)
        elements = [element for element, _, _ in drawn if isinstance(element, Element)]
        await self._fetch_pictures(elements)
        result = RunResult(time.perf_counter() - started, elements)
        if not fragment:  # like the browser: after a full run only its widgets exist, and only they keep a state
            self.widgets, self._fragment_of, self._path_of = {}, {}, {}
        for element, fragment_id, path in drawn:
            widget = getattr(element, element.WhichOneof("type"))
            if getattr(widget, "id", ""):
                key = _widget_key(widget.id)
                self.widgets[key], self._fragment_of[key], self._path_of[key] = element, fragment_id, path
        if fragment:  # a fragment's rerun replaces what it drew: a widget it (or a block it sent again) held is gone
            redrawn = {_widget_key(getattr(e, e.WhichOneof("type")).id) for e, _, _ in drawn
                       if getattr(getattr(e, e.WhichOneof("type")), "id", "")}  # fmt: skip
            for key in [key for key in self.widgets if key not in redrawn]:
                path = self._path_of[key]
                if self._fragment_of[key] == fragment or any(path[: len(block)] == block for block in blocks):
                    del self.widgets[key], self._fragment_of[key], self._path_of[key]
        ids = {self._id(key) for key in self.widgets}
        self._states = {widget_id: state for widget_id, state in self._states.items() if widget_id in ids}
        problems = [e.exception.message or e.exception.type for e in elements if e.WhichOneof("type") == "exception"]
        problems += [e.alert.body for e in elements if e.WhichOneof("type") == "alert" and e.alert.format == 1]
        if problems:
            raise RunError("; ".join(problems))
        return result

    async def _fetch_pictures(self, elements: list[Element]) -> None:
        """GET the run's new pictures at once, as the browser does when their elements arrive."""
        new = [url for url in dict.fromkeys(image_urls(elements)) if url not in self._fetched]
        responses = await asyncio.gather(*(self.fetch(url) for url in new))
        for url, response in zip(new, responses):
            if response.status_code != 200:
                raise RunError(f"picture {url}: HTTP {response.status_code}")
            self._fetched.add(url)

    async def _read_until_finished(self) -> tuple[list[tuple[Element | Block, str, tuple[int, ...]]], list[tuple]]:
        """The elements of the run and its tabs that track state, each with the id of the fragment that drew it and
        its place (delta path); and the places of the blocks the run sent (a block sent again is drawn anew)."""
        elements: list[tuple[Element | Block, str, tuple[int, ...]]] = []
        blocks: list[tuple[int, ...]] = []
        while True:
            message = ForwardMsg()
            message.ParseFromString(await self._socket.recv())
            kind = message.WhichOneof("type")
            path = tuple(message.metadata.delta_path)
            if kind == "new_session":
                self.session_id = message.new_session.initialize.session_id
                elements.clear()  # a new run of the script (the router's first run reruns once)
                blocks.clear()
            elif kind == "navigation":
                self._page_hash = message.navigation.page_script_hash
            elif kind == "page_info_changed":
                self._query = message.page_info_changed.query_string
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                elements.append((message.delta.new_element, message.delta.fragment_id, path))
            elif kind == "delta" and message.delta.WhichOneof("type") == "add_block":
                blocks.append(path)
                if message.delta.add_block.tab_container.id:  # tabs are a widget, drawn as a block
                    elements.append((message.delta.add_block, message.delta.fragment_id, path))
            elif kind == "script_finished":
                status = message.script_finished
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise RunError("the script failed to compile")
                if status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    return elements, blocks
