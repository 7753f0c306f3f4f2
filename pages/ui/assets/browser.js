// Presenting the lecture (a view opened with ?slide=N): the arrow keys and PageUp / PageDown (what presentation
// clickers usually send) press the lecture bar's Previous / Next, unless a widget has the focus (a slider or tabs
// take the arrows themselves).
const NAV_KEYS = { ArrowRight: "Next", PageDown: "Next", ArrowLeft: "Previous", PageUp: "Previous" };
const WIDGETS = "input, textarea, select, [contenteditable], [role=slider], [role=tab], [role=listbox], [role=combobox]";

function onKey(event) {
  const label = NAV_KEYS[event.key];
  if (!label || event.altKey || event.ctrlKey || event.metaKey || event.target.closest?.(WIDGETS)) return;
  const link = [...document.querySelectorAll(".st-key-lecture_nav a")].find((a) => a.textContent.includes(`${label}:`));
  if (link) {
    event.preventDefault();
    link.click();
  }
}

function scroller(element) {
  for (let parent = element.parentElement; parent; parent = parent.parentElement) {
    if (parent.scrollHeight > parent.clientHeight && /auto|scroll/.test(getComputedStyle(parent).overflowY)) {
      return parent;
    }
  }
  return document.scrollingElement;
}

// On arriving at a page projected, or at a slide (the lecture bar's Slide N, its key figure's key in figures[N - 1]):
// close the sidebar (opened earlier for presets or the pipeline, it would narrow every later view); at a slide, once
// its key figure is drawn and steady, scroll only as far as it takes to show it whole below the lecture bar.
function present(figures) {
  // The slide the lecture bar names: the address bar can lag (a link to the same page with other settings).
  const named = document.querySelector(".st-key-lecture_nav")?.textContent.match(/Slide (\d+) of/);
  const slide = named ? Number(named[1]) : 0;
  const arrival = `${window.location.pathname}#${slide}`;
  if (window.augnormPresented === arrival) return;
  window.augnormPresented = arrival;
  if (slide || new URLSearchParams(window.location.search).get("projector") === "true") {
    document.querySelector('button[aria-label="Collapse sidebar"][aria-expanded="true"]')?.click();
  }
  const figure = figures[slide - 1];
  if (!figure) return;
  const started = Date.now();
  let layout = "", steady = 0, scrolled = null;
  const watch = setInterval(() => {
    const element = document.querySelector(`.st-key-${CSS.escape(figure)}`);
    const box = element?.getBoundingClientRect();
    const running = document.querySelector("[data-testid=stApp]")?.dataset.testScriptState !== "notRunning";
    if (Date.now() - started > 30000) clearInterval(watch);
    if (!box || box.height === 0 || running) return;
    const view = scroller(element);
    // Steady: its place and size, and the page's height (pictures above it load, elements of the run arrive).
    const now = `${box.top} ${box.height} ${view.scrollHeight}`;
    steady = now === layout ? steady + 1 : 0;
    layout = now;
    if (steady < 4) return;
    if (scrolled !== null && view.scrollTop !== scrolled) return clearInterval(watch);  // the lecturer scrolled
    const header = document.querySelector("header[data-testid=stHeader]");  // the lecture bar sits on it
    const top = header ? header.getBoundingClientRect().bottom : 0;
    // Down until its bottom shows (never its top under the bar), or up to it: the view can keep the previous
    // slide's scroll when the page is switched.
    const by = box.top < top ? box.top - top - 8 : Math.min(box.bottom - window.innerHeight + 8, box.top - top - 8);
    if (box.top < top || (box.bottom > window.innerHeight && by > 0)) view.scrollBy({ top: by, behavior: "instant" });
    scrolled = view.scrollTop;
    document.documentElement.dataset.presented = arrival;  // placed (the browser test waits for it)
    if (Date.now() - started > 5000) clearInterval(watch);  // then keep it in view a little longer
  }, 150);
}

export default function ({ parentElement, data, setStateValue }) {
  document.addEventListener("keydown", onKey);
  // The address changes without a new mount (a lecture link is a page switch in the same app): watched.
  const presenting = setInterval(() => present(data.figures), 200);
  const report = () => {
    const narrow = window.innerWidth < data.breakpoint;
    if (narrow !== data.narrow) setStateValue("narrow", narrow);
  };
  report();
  window.addEventListener("resize", report);
  const details = parentElement.querySelector("details");
  const link = parentElement.querySelector(".link");
  const button = parentElement.querySelector("button");
  const show = () => {
    const address = window.location.origin + window.location.pathname + window.location.search;
    if (link.textContent !== address) link.textContent = address;
  };
  show();
  details.ontoggle = show;
  const watch = setInterval(() => details.open && show(), 250);  // widgets rewrite the address as they change
  button.onclick = async () => {
    show();
    try {
      await navigator.clipboard.writeText(link.textContent);
      button.textContent = "Copied";
    } catch {  // no clipboard (plain http): select the link for Ctrl+C
      getSelection().selectAllChildren(link);
      button.textContent = "Selected: press Ctrl+C";
    }
    setTimeout(() => (button.textContent = "Copy link"), 2000);
  };
  return () => {
    window.removeEventListener("resize", report);
    document.removeEventListener("keydown", onKey);
    clearInterval(watch);
    clearInterval(presenting);
  };
}
