// Progressive enhancement only: every page works without this file.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

initAll();

// Re-initialise GOV.UK components inside fragments that htmx swaps in.
document.body.addEventListener("htmx:afterSwap", (event) => {
  initAll({ scope: event.detail.target });
});

// Mark the page, and each fragment htmx swaps in, once htmx has processed it, so that anyone
// waiting for the enhanced page (a browser test, as a person waits for a page to finish loading)
// can tell it is ready. A swapped-in fragment is processed only when it settles, a moment after
// it appears: until then its forms would submit as plain posts.
document.body.addEventListener("htmx:load", (event) => {
  if (event.target.dataset) {
    event.target.dataset.enhanced = "true";
  }
});
