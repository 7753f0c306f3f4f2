export default function ({ parentElement, data, setStateValue }) {
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
    clearInterval(watch);
  };
}
