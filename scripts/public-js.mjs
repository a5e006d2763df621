// The one script the public survey pages load: GOV.UK Frontend's own components that those pages
// use, and nothing else (no htmx). scripts/vendor-assets.sh bundles it with esbuild into
// static/vendor/govuk-frontend/govuk-frontend-public.min.js. "Exit this page" (Shift three
// times, the overlay) is part of safeguarding; without JavaScript its button is a plain link.
import {
  Button,
  Checkboxes,
  ErrorSummary,
  ExitThisPage,
  NotificationBanner,
  Radios,
  ServiceNavigation,
  SkipLink,
  createAll,
} from "govuk-frontend";

for (const Component of [
  Button,
  Checkboxes,
  ErrorSummary,
  ExitThisPage,
  NotificationBanner,
  Radios,
  ServiceNavigation,
  SkipLink,
]) {
  createAll(Component);
}
