//! The page itself: the template files of `src/template/` with the data inlined.
//!
//! User text (model names, source, values) reaches the page in two places only, both
//! escaped here: the `<title>`, as HTML text, and the JSON data, inside a
//! `<script type="application/json">` element where `<`, `>` and `&` are written as JSON
//! `\u` escapes so that no sequence in the data can end the element. The script puts text
//! into the page with `textContent` only, never as HTML.

use crate::snapshot::ViewData;

/// The page's HTML skeleton, with `{{TITLE}}`, `{{CSS}}`, `{{DATA}}` and `{{SCRIPT}}` slots.
const TEMPLATE: &str = include_str!("template/viewer.html");
/// The page's style sheet.
const CSS: &str = include_str!("template/viewer.css");
/// The page's script: draws the chart and the panel from the data, and handles stepping.
const SCRIPT: &str = include_str!("template/viewer.js");

/// The complete page for `data`: one self-contained HTML document.
pub fn html(data: &ViewData) -> String {
    let title = escape_html(&format!("{} — mutexcheck trace", data.model));
    let json = script_safe_json(data);
    let mut out = String::with_capacity(TEMPLATE.len() + CSS.len() + SCRIPT.len() + json.len() + title.len());
    // One pass over the template: text put into a slot is never searched for slots again.
    let mut rest = TEMPLATE;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else { break };
        out.push_str(&rest[..start]);
        match &rest[start + 2..start + len] {
            "TITLE" => out.push_str(&title),
            "CSS" => out.push_str(CSS),
            "DATA" => out.push_str(&json),
            "SCRIPT" => out.push_str(SCRIPT),
            _ => out.push_str(&rest[start..start + len + 2]),
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
pub fn script_safe_json(data: &ViewData) -> String {
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
