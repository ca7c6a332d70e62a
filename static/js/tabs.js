// Without JavaScript a tabbed form shows its panes one after the other. With it, the tab bar
// appears and only one pane shows: the first, or the first that holds an error.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("ul.nav-tabs.d-none").forEach((tabs) => {
    const buttons = Array.from(tabs.querySelectorAll("[data-bs-toggle='tab']"));
    const panes = buttons.map((button) => document.querySelector(button.dataset.bsTarget));
    panes.forEach((pane) => {
      pane.classList.remove("active");
      pane.setAttribute("role", "tabpanel");
      pane.querySelector(".tab-heading")?.classList.add("visually-hidden");
    });
    tabs.classList.remove("d-none");
    const withError = panes.findIndex((pane) => pane.querySelector(".is-invalid, .text-danger"));
    const first = buttons[Math.max(withError, 0)];
    buttons.forEach((button) => button.classList.remove("active"));
    window.bootstrap.Tab.getOrCreateInstance(first).show();
  });
});
