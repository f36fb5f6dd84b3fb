//! The page itself: the template files of `src/template/` with the data inlined.
//!
//! User text (model names, source, values) reaches the page in two places only, both
//! escaped here: the `<title>`, as HTML text, and the JSON data, inside a
//! `<script type="application/json">` element where `<`, `>` and `&` are written as JSON
//! `\u` escapes so that no sequence in the data can end the element. The script puts text
//! into the page with `textContent` only, never as HTML.

use crate::snapshot::ViewData;

/// The page's HTML skeleton, with `{{TITLE}}`, `{{CSS}}`, `{{MAIN}}`, `{{DATA}}` and
/// `{{SCRIPT}}` slots.
const TEMPLATE: &str = include_str!("template/viewer.html");
/// The elements the script draws a run into (`<main id="viewer">`): shared with the page of
/// `mutexcheck explore`, which draws the run being played in the same way.
pub const MAIN: &str = include_str!("template/viewer_main.html");
/// The page's style sheet.
pub const CSS: &str = include_str!("template/viewer.css");
/// The page's script: `MutexcheckViewer.draw(data)` draws the chart and the panel from a
/// run's data and handles stepping; on the viewer page it draws the data the page carries.
pub const SCRIPT: &str = include_str!("template/viewer.js");

/// The complete page for `data`: one self-contained HTML document.
pub fn html(data: &ViewData) -> String {
    let title = escape_html(&format!("{} — mutexcheck trace", data.model));
    let json = script_safe_json(data);
    fill(TEMPLATE, &[("TITLE", &title), ("CSS", CSS), ("MAIN", MAIN), ("DATA", &json), ("SCRIPT", SCRIPT)])
}

/// `template` with each `{{NAME}}` slot replaced by its text in `slots`, in one pass: text
/// put into a slot is never searched for slots again. Unknown slots stay as they are.
pub fn fill(template: &str, slots: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + slots.iter().map(|(_, t)| t.len()).sum::<usize>());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else { break };
        out.push_str(&rest[..start]);
        let name = &rest[start + 2..start + len];
        match slots.iter().find(|(n, _)| *n == name) {
            Some((_, text)) => out.push_str(text),
            None => out.push_str(&rest[start..start + len + 2]),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

/// `text` as HTML character data: `&`, `<`, `>`, `"` and `'` written as entities.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `data` as JSON that can sit inside a `<script>` element: `<`, `>` and `&` only ever occur
/// inside JSON strings, where `\u003c` and friends mean the same characters to `JSON.parse`.
pub fn script_safe_json<T: serde::Serialize>(data: &T) -> String {
    let json = serde_json::to_string(data).expect("view data always serializes");
    json.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_html_writes_every_markup_character_as_an_entity() {
        assert_eq!(escape_html(r#"<b a="1">'x' & y</b>"#), "&lt;b a=&quot;1&quot;&gt;&#39;x&#39; &amp; y&lt;/b&gt;");
    }
}
