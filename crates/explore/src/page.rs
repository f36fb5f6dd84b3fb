//! The page of `mutexcheck explore`: the trace viewer's elements, style and script
//! ([`mutexcheck_view::page`]) to draw the run, and a panel of moves around them. Nothing is
//! fetched from elsewhere: the page works offline. The run itself comes from the server's
//! JSON API, and the script puts text into the page with `textContent` only.

use mutexcheck_core::System;
use mutexcheck_view::page::{escape_html, fill, CSS, MAIN, SCRIPT};

/// The page's HTML skeleton.
const TEMPLATE: &str = include_str!("template/explore.html");
/// The move panel's style, after the viewer's.
const EXPLORE_CSS: &str = include_str!("template/explore.css");
/// The move panel's script: asks the server, then draws with `MutexcheckViewer.draw`.
const EXPLORE_SCRIPT: &str = include_str!("template/explore.js");

/// The page for `system`: the same for every request.
pub fn html(system: &System) -> String {
    let title = escape_html(&format!("{} — mutexcheck explore", system.model().name));
    fill(
        TEMPLATE,
        &[
            ("TITLE", &title),
            ("CSS", CSS),
            ("EXPLORE_CSS", EXPLORE_CSS),
            ("MAIN", MAIN),
            ("SCRIPT", SCRIPT),
            ("EXPLORE_SCRIPT", EXPLORE_SCRIPT),
        ],
    )
}
