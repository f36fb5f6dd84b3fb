//! The trace viewer in a real browser (issue #12): `mutexcheck view` writes the page of the
//! seed bug's golden trace and of a long generated trace (ten threads, about two hundred
//! steps), headless Chromium loads each from `file://` and runs its script, and the test
//! reads the DOM it dumps: lanes, steps, the violation, the owner of `m` around the crash,
//! and the number of overlapping labels the page measured itself at 1280×800; the panel at
//! a linked step; stepping with keys and clicks, driven by a page of the test's own. A
//! screenshot of each page is kept under `target/` for people to look at.
//!
//! Chromium is required: `.ci/run` installs it (`apt-get install -y chromium`). Without it
//! the tests fail, unless `MUTEXCHECK_SKIP_BROWSER=1` asks to skip them.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use mutexcheck_checker::trace::{TraceFile, TraceOptions};
use mutexcheck_checker::{prepare, Checks, Counterexample, Strategy, TraceStep};
use mutexcheck_core::{Action, State, System};

const WINDOW: &str = "--window-size=1280,800";
/// Far more than a page takes to load; a hung browser fails the test instead of hanging it.
const BROWSER_DEADLINE: Duration = Duration::from_secs(120);

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("viewer-browser").join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn mutexcheck(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mutexcheck")).current_dir(cwd).args(args).output().unwrap()
}

/// The Chromium binary on PATH (`chromium`, as Debian names it, or `chromium-browser`);
/// `None` only when `MUTEXCHECK_SKIP_BROWSER=1` asks to skip the browser tests.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = ["chromium", "chromium-browser"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file());
    if found.is_none() && std::env::var_os("MUTEXCHECK_SKIP_BROWSER").is_some_and(|v| v == "1") {
        // Straight to stderr, past the test harness's capture: a skip must be seen.
        let note = "MUTEXCHECK_SKIP_BROWSER=1: skipping a browser test of the trace viewer (no chromium on PATH)\n";
        let _ = std::io::Write::write_all(&mut std::io::stderr(), note.as_bytes());
        return None;
    }
    Some(found.unwrap_or_else(|| {
        panic!(
            "no `chromium` or `chromium-browser` on PATH: the viewer is tested in a real browser. \
             Install it with `apt-get install -y chromium` (Debian; .ci/run does this), \
             or set MUTEXCHECK_SKIP_BROWSER=1 to skip this test"
        )
    }))
}

/// Runs headless Chromium on the page at `page` (with `#fragment`, if not empty) with
/// `args` (`--dump-dom`, `--screenshot=…`) at 1280×800, with a profile directory of its
/// own, and returns its stdout.
fn headless(browser: &Path, page: &Path, fragment: &str, profile: &Path, args: &[&str]) -> String {
    let mut url = format!("file://{}", page.canonicalize().unwrap().display());
    if !fragment.is_empty() {
        url = format!("{url}#{fragment}");
    }
    let mut child = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", WINDOW])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(&url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text)
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > BROWSER_DEADLINE {
            child.kill().unwrap();
            panic!("chromium did not finish {url} within {BROWSER_DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(status.success(), "chromium failed on {url}: {status}\n{stderr}");
    reader.join().unwrap().unwrap()
}

/// The opening tags of `dom` that carry every attribute of `attrs` (`name="value"`).
fn tags<'a>(dom: &'a str, attrs: &[(&str, &str)]) -> Vec<&'a str> {
    dom.split('<')
        .filter(|t| !t.starts_with('/'))
        .map(|t| &t[..t.find('>').unwrap_or(t.len())])
        .filter(|t| attrs.iter().all(|(k, v)| t.contains(&format!(" {k}=\"{v}\""))))
        .collect()
}

/// The one element with `attrs`: its opening tag and the markup up to the next `<div`
/// (a chart cell holds only spans).
fn cell<'a>(dom: &'a str, attrs: &[(&str, &str)]) -> (&'a str, &'a str) {
    let found = tags(dom, attrs);
    assert_eq!(found.len(), 1, "one element with {attrs:?}, found {found:?}");
    let start = found[0].as_ptr() as usize - dom.as_ptr() as usize;
    let len = dom[start..].find("<div").unwrap_or(dom.len() - start);
    (found[0], &dom[start..start + len])
}

/// The value of attribute `name` in an opening tag.
fn attr<'a>(tag: &'a str, name: &str) -> &'a str {
    let key = format!(" {name}=\"");
    let start = tag.find(&key).unwrap_or_else(|| panic!("no {name} in <{tag}>")) + key.len();
    &tag[start..start + tag[start..].find('"').unwrap()]
}

/// What a page looked like in the browser.
struct Rendered {
    dom: String,
    main: String,
}

/// Loads `page` in headless Chromium and returns the DOM after the page's script ran.
fn render(browser: &Path, page: &Path, fragment: &str) -> Rendered {
    let started = Instant::now();
    let dom = headless(browser, page, fragment, &page.with_extension("profile"), &["--dump-dom"]);
    eprintln!("{}#{fragment}: rendered in Chromium in {:.1?}", page.display(), started.elapsed());
    let main = tags(&dom, &[("id", "viewer")]).first().expect("the page's <main id=viewer>").to_string();
    assert_eq!(attr(&main, "data-ready"), "true", "the page's script ran to its end");
    Rendered { dom, main }
}

/// Keeps a screenshot of `page` at 1280×800 as `target/viewer-<name>.png`.
fn screenshot(browser: &Path, page: &Path, name: &str) {
    let started = Instant::now();
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().to_path_buf();
    let png = target.join(format!("viewer-{name}.png"));
    let _ = std::fs::remove_file(&png);
    let args = ["--hide-scrollbars", &format!("--screenshot={}", png.display())];
    headless(browser, page, "", &page.with_extension("profile"), &args);
    let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", png.display()));
    assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000, "{} is not a screenshot", png.display());
    eprintln!("{name}: screenshot {} in {:.1?}", png.display(), started.elapsed());
}

impl Rendered {
    fn data(&self, name: &str) -> &str {
        attr(&self.main, name)
    }

    /// The `m` owner cell at step `k`: (owner, count, abandoned, mark).
    fn owner_of_m(&self, k: usize) -> (&str, &str, &str, &str) {
        let (tag, _) = cell(&self.dom, &[("data-mutex", "m"), ("data-step", &k.to_string())]);
        (attr(tag, "data-owner"), attr(tag, "data-count"), attr(tag, "data-abandoned"), attr(tag, "data-mark"))
    }

    /// Chart rows (the initial state and each step) and lane headers, counted in the DOM.
    fn rows_and_lanes(&self) -> (usize, usize) {
        let count = |class: &str, data: &str| {
            tags(&self.dom, &[]).iter().filter(|t| t.contains(&format!("class=\"{class}")) && t.contains(data)).count()
        };
        (count("cell stepno", " data-step="), count("cell hd", " data-lane="))
    }
}

#[test]
fn the_seed_bug_page_shows_the_crash_the_abandoned_wait_and_the_leak() {
    let Some(browser) = chromium() else { return };
    let dir = scratch("seed_bug");
    let page = dir.join("seed_bug.html");
    let out = mutexcheck(&root(), &["view", "traces/seed_bug.json", "-o", page.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let r = render(&browser, &page, "");
    screenshot(&browser, &page, "seed_bug");

    assert_eq!((r.data("data-lanes"), r.data("data-steps"), r.data("data-mutexes")), ("2", "12", "1"));
    assert_eq!(r.rows_and_lanes(), (13, 2), "a row for the initial state and each step, a lane per thread");
    assert!(r.data("data-viewport").starts_with("1280x"), "{}", r.data("data-viewport"));
    assert!(r.data("data-labels").parse::<usize>().unwrap() > 40, "the overlap check measured the labels");
    assert_eq!(r.data("data-overlaps"), "0", "no two labels overlap at 1280x800");
    assert!(r.dom.contains("Violation at step 12 (leaked_ownership): worker[1] ended owning m (count 1)"));
    assert_eq!(r.data("data-selected-step"), "12", "the page opens at the violation");

    // worker[0] owns m, crashes at step 8 and abandons it...
    assert_eq!(r.owner_of_m(7), ("worker[0]", "1", "false", ""));
    let (crash, crash_cell) = cell(&r.dom, &[("data-lane", "0"), ("data-step", "8")]);
    assert_eq!(attr(crash, "data-event"), "crash");
    assert!(crash_cell.contains("\u{2716} crashed at L23 if r == OK"), "{crash_cell}");
    assert_eq!(r.owner_of_m(8), ("", "0", "true", "abandoned"));
    assert!(r.dom.contains("\u{26a0} abandoned by worker[0]"));
    // ...worker[1]'s wait returns ABANDONED and takes it, `if r == OK` is false...
    let (_, wait) = cell(&r.dom, &[("data-lane", "1"), ("data-step", "9")]);
    assert!(wait.contains("L22 let r = wait m timeout") && wait.contains(">ABANDONED</span>"), "{wait}");
    assert_eq!(r.owner_of_m(9), ("worker[1]", "1", "false", "cleared"));
    let (_, test) = cell(&r.dom, &[("data-lane", "1"), ("data-step", "10")]);
    assert!(test.contains("L23 if r == OK") && test.contains(">false</span>"), "{test}");
    // ...and it ends still owning m.
    assert_eq!(r.owner_of_m(11), ("worker[1]", "1", "false", ""));
    assert_eq!(r.owner_of_m(12), ("", "0", "true", "abandoned"));
    assert!(r.dom.contains("\u{26a0} abandoned by worker[1]"));
}

/// A link to a step opens the panel at it: every variable, the selected thread's locals
/// with what the step changed highlighted, and the step's line in the model.
#[test]
fn the_panel_shows_the_state_at_the_step_a_link_names() {
    let Some(browser) = chromium() else { return };
    let dir = scratch("panel");
    let page = dir.join("seed_bug.html");
    let out = mutexcheck(&root(), &["view", "traces/seed_bug.json", "-o", page.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let r = render(&browser, &page, "step=9&thread=worker%5B1%5D");
    assert_eq!((r.data("data-selected-step"), r.data("data-selected-lane")), ("9", "worker[1]"));
    assert!(r.dom.contains("Step 9 of 12: worker[1] line 22: let r = wait m timeout [ABANDONED (count 1)]"));
    let row = |name: &str, value: &str| format!("<td class=\"name\">{name}</td><td class=\"value\">{value}</td></tr>");
    let changed =
        |was: &str, name: &str, value: &str| format!("<tr class=\"changed\" title=\"was {was}\">{}", row(name, value));
    assert!(r.dom.contains(&changed("free (abandoned)", "m", "owned by worker[1] (count 1)")), "the mutex table");
    assert!(r.dom.contains(&format!("<tr>{}", row("a", "0"))), "the shared variables, unchanged");
    assert!(r.dom.contains("<h2 id=\"thread-heading\">Thread worker[1]: running, next line 23</h2>"));
    assert!(r.dom.contains(&changed("TIMEOUT", "r", "ABANDONED")), "worker[1]'s local r");
    assert!(r.dom.contains(&format!("<tr>{}", row("round", "1"))));
    assert!(r.dom.contains("<div class=\"src-line cur\"><span class=\"ln\">22</span>"), "the step's line");
    assert!(r.dom.contains("<div class=\"src-line next\"><span class=\"ln\">23</span>"), "worker[1]'s next line");
}

/// A page of the test's own that loads the viewer in a frame (same origin under
/// `--allow-file-access-from-files`), then presses keys and clicks in it as a reader would,
/// writing what the viewer selected and shows after each action into `<pre id="log">`.
const STEPPING_HARNESS: &str = r#"<!DOCTYPE html>
<html><body><iframe id="viewer" src="seed_bug.html" style="width:1260px;height:760px"></iframe>
<pre id="log"></pre>
<script>
window.addEventListener('load', function () {
  var doc = document.getElementById('viewer').contentDocument, log = [];
  var main = doc.getElementById('viewer');
  function note(action) {
    var cur = doc.querySelector('.src-line.cur .ln');
    log.push(action + ' -> ' + main.dataset.selectedStep + ' ' + main.dataset.selectedLane + ' | ' +
      doc.querySelector('#step-info .what').textContent + ' | ' + doc.getElementById('thread-heading').textContent +
      ' | line ' + (cur ? cur.textContent : '-'));
  }
  function key(k) {
    doc.dispatchEvent(new doc.defaultView.KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
    note(k);
  }
  function click(selector) { doc.querySelector(selector).click(); note('click ' + selector); }
  note('open');
  ['ArrowLeft', 'ArrowLeft', 'ArrowUp', 'ArrowLeft', 'Home', 'ArrowLeft', 'ArrowRight', 'End', 'ArrowDown'].forEach(key);
  click('.cell[data-lane="0"][data-step="3"]');
  click('.hd[data-lane="1"]');
  click('.stepno[data-step="9"]');
  document.getElementById('log').textContent = log.join('\n');
});
</script></body></html>
"#;

/// ←/→ (and ↑/↓, Home, End) move the selection and keep the selected thread; a click on a
/// step selects it and its thread, a click on a lane's header selects that thread.
#[test]
fn keys_and_clicks_step_through_the_trace() {
    let Some(browser) = chromium() else { return };
    let dir = scratch("stepping");
    let page = dir.join("seed_bug.html");
    let out = mutexcheck(&root(), &["view", "traces/seed_bug.json", "-o", page.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let harness = dir.join("harness.html");
    std::fs::write(&harness, STEPPING_HARNESS).unwrap();
    let profile = dir.join("harness.profile");
    let dom = headless(&browser, &harness, "", &profile, &["--allow-file-access-from-files", "--dump-dom"]);
    let start = dom.find("<pre id=\"log\">").expect("the harness's log") + "<pre id=\"log\">".len();
    // The log is text in the DOM: `<`, `>` and `&` come back as entities.
    let log = dom[start..start + dom[start..].find("</pre>").unwrap()]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let expected = "\
open -> 12 worker[1] | Step 12 of 12: worker[1] line 21: while round < 2 [false] | Thread worker[1]: finished | line 21
ArrowLeft -> 11 worker[1] | Step 11 of 12: worker[1] line 28: round = round + 1 | Thread worker[1]: running, next line 21 | line 28
ArrowLeft -> 10 worker[1] | Step 10 of 12: worker[1] line 23: if r == OK [false] | Thread worker[1]: running, next line 28 | line 23
ArrowUp -> 9 worker[1] | Step 9 of 12: worker[1] line 22: let r = wait m timeout [ABANDONED (count 1)] | Thread worker[1]: running, next line 23 | line 22
ArrowLeft -> 8 worker[1] | Step 8 of 12: worker[0] crashed at line 23, before: if r == OK | Thread worker[1]: running, next line 22 | line 23
Home -> 0 worker[1] | Initial state (before step 1 of 12) | Thread worker[1]: running, next line 21 | line -
ArrowLeft -> 0 worker[1] | Initial state (before step 1 of 12) | Thread worker[1]: running, next line 21 | line -
ArrowRight -> 1 worker[1] | Step 1 of 12: worker[0] line 21: while round < 2 [true] | Thread worker[1]: running, next line 21 | line 21
End -> 12 worker[1] | Step 12 of 12: worker[1] line 21: while round < 2 [false] | Thread worker[1]: finished | line 21
ArrowDown -> 12 worker[1] | Step 12 of 12: worker[1] line 21: while round < 2 [false] | Thread worker[1]: finished | line 21
click .cell[data-lane=\"0\"][data-step=\"3\"] -> 3 worker[0] | Step 3 of 12: worker[0] line 22: let r = wait m timeout [OK (count 1)] | Thread worker[0]: running, next line 23 | line 22
click .hd[data-lane=\"1\"] -> 3 worker[1] | Step 3 of 12: worker[0] line 22: let r = wait m timeout [OK (count 1)] | Thread worker[1]: running, next line 22 | line 22
click .stepno[data-step=\"9\"] -> 9 worker[1] | Step 9 of 12: worker[1] line 22: let r = wait m timeout [ABANDONED (count 1)] | Thread worker[1]: running, next line 23 | line 22";
    assert_eq!(log.lines().collect::<Vec<_>>(), expected.lines().collect::<Vec<_>>());
}

/// A model whose initial state already breaks a property has a trace of no steps; its page
/// still draws (the initial row, marked as the violation). Its process has two threads: two
/// lanes under one process header, and the process memory in the thread's panel.
#[test]
fn a_violation_in_the_initial_state_has_a_page_too() {
    let Some(browser) = chromium() else { return };
    let dir = scratch("initial");
    let model = "model broken_from_start\nmutex m\nshared a: 0..2 = 1\ninvariant zero: a == 0\n\
                 process app {\n    var ready: bool = false\n    thread ui {\n        skip\n    }\n\
                 \x20   thread net {\n        skip\n    }\n}\n";
    std::fs::write(dir.join("initial.mc"), model).unwrap();
    let out =
        mutexcheck(&dir, &["check", "initial.mc", "--quiet", "--trace-out", "initial.json", "--html", "initial.html"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let r = render(&browser, &dir.join("initial.html"), "");
    assert_eq!((r.data("data-steps"), r.data("data-lanes"), r.data("data-selected-step")), ("0", "2", "0"));
    assert_eq!(tags(&r.dom, &[("title", "process app")]).len(), 1, "one header over the process's lanes");
    assert_eq!(r.data("data-selected-lane"), "app.ui");
    assert!(r.dom.contains("<td class=\"name\">app.ready</td><td class=\"value\">false</td>"), "process memory");
    assert_eq!(r.data("data-overlaps"), "0");
    assert!(r.dom.contains("Violation at step 0 (invariant): invariant zero: `a == 0` is false (a = 1)"));
}

/// Ten workers take turns on one mutex; one crashes while it owns it.
const LONG_MODEL: &str = "\
// A long run for the viewer's browser test: ten workers take turns on one mutex.
// expect: violation invariant
model long_run

crashes 1
mutex m
shared total: 0..40 = 0

invariant not_full: total < 37

process worker[10] {
    var round: 0..4 = 0
    while round < 4 {
        let r = wait m
        total = total + 1
        release m
        round = round + 1
    }
}
";

/// A real run of `LONG_MODEL`, made without a search: the threads move in turn (the next
/// one that can), and worker[3] crashes the first time it owns `m` after step 40. The run
/// ends at the first violation, checked after every step as the checker and replay do.
fn long_trace(system: &System, source: &[u8]) -> TraceFile {
    let checks = Checks::new(system);
    let mut state: State = system.initial_state();
    let initial = state.clone();
    let (mut steps, mut turn, mut crashed) = (Vec::new(), 0, false);
    let violation = loop {
        let mut successors = Vec::new();
        system.successors(&state, &mut successors);
        let crash_now = !crashed && steps.len() >= 40 && system.mutex(&state, 0).owner == Some(3);
        let chosen = if crash_now {
            crashed = true;
            successors.iter().position(|(s, _)| s.action == Action::Crash { process: 3 })
        } else {
            let n = system.thread_count();
            let first = turn;
            let pick = (0..n).map(|d| (first + d) % n).find_map(|t| {
                successors
                    .iter()
                    .position(|(s, _)| matches!(s.action, Action::Run { thread, .. } if usize::from(thread) == t))
                    .map(|i| (t, i))
            });
            pick.map(|(t, i)| {
                turn = t + 1;
                i
            })
        };
        let (step, next) = successors.swap_remove(chosen.expect("some thread can move"));
        let violation = checks.step_violation(&state, &step, &next).or_else(|| checks.state_hooks(&next));
        steps.push(TraceStep { step, state: next.clone() });
        state = next;
        if let Some(v) = violation {
            break v;
        }
    };
    let cex = Counterexample::new(violation, initial, steps, false);
    TraceFile::new(system, "models/long_run.mc", source, TraceOptions::new(system, Strategy::Bfs, &[]), &cex)
}

#[test]
fn a_long_trace_of_ten_threads_has_no_overlapping_labels() {
    let Some(browser) = chromium() else { return };
    let dir = scratch("long_run");
    std::fs::create_dir_all(dir.join("models")).unwrap();
    std::fs::create_dir_all(dir.join("traces")).unwrap();
    std::fs::write(dir.join("models/long_run.mc"), LONG_MODEL).unwrap();
    let system = prepare(mutexcheck_lang::compile("models/long_run.mc", LONG_MODEL.as_bytes()).unwrap(), None).unwrap();
    let trace = long_trace(&system, LONG_MODEL.as_bytes());
    let steps = trace.steps.len();
    assert!((180..=220).contains(&steps), "about 200 steps: {steps}");
    assert_eq!(trace.violation.kind, "invariant");
    std::fs::write(dir.join("traces/long_run.json"), trace.to_json()).unwrap();
    // A real trace: replay reproduces it on the model.
    let out = mutexcheck(&dir, &["replay", "traces/long_run.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    let out = mutexcheck(&dir, &["view", "traces/long_run.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let page = dir.join("traces/long_run.html");
    let r = render(&browser, &page, "");
    screenshot(&browser, &page, "long_run");

    assert_eq!((r.data("data-lanes"), r.data("data-steps")), ("10", steps.to_string().as_str()));
    assert_eq!(r.rows_and_lanes(), (steps + 1, 10));
    assert!(r.data("data-labels").parse::<usize>().unwrap() > steps, "the overlap check measured the labels");
    assert_eq!(r.data("data-overlaps"), "0", "no two labels overlap at 1280x800 on {steps} steps");
    // The message quotes `total < 37`: text in the DOM has `<` as an entity.
    let violation = format!("Violation at step {steps} (invariant): {}", trace.violation.message.replace('<', "&lt;"));
    assert!(r.dom.contains(&violation), "{violation}");
    let crash = trace.steps.iter().find(|s| s.action == "crash").expect("worker[3] crashes").index;
    assert_eq!(r.owner_of_m(crash - 1).0, "worker[3]");
    assert_eq!(r.owner_of_m(crash), ("", "0", "true", "abandoned"));
    let (tag, _) = cell(&r.dom, &[("data-lane", "3"), ("data-step", &crash.to_string())]);
    assert_eq!(attr(tag, "data-event"), "crash");
}

/// The page of a golden trace, rendered with `fragment` (issue #24's tests below).
fn golden_page(test: &str, stem: &str, fragment: &str) -> Option<Rendered> {
    let browser = chromium()?;
    let dir = scratch(test);
    let page = dir.join(format!("{stem}.html"));
    let out = mutexcheck(&root(), &["view", &format!("traces/{stem}.json"), "-o", page.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    Some(render(&browser, &page, fragment))
}

/// Issue #24: the crash row says where the thread was, and the source panel shows that
/// line (it once showed the header comment: a crash step had no line).
#[test]
fn a_crash_row_says_where_and_the_source_panel_shows_the_crashed_threads_line() {
    let Some(r) = golden_page("crash_line", "two_sections_crash", "step=9&thread=transfer") else { return };
    let (crash, crash_cell) = cell(&r.dom, &[("data-lane", "0"), ("data-step", "9")]);
    assert_eq!(attr(crash, "data-event"), "crash");
    assert!(crash_cell.contains("\u{2716} crashed at L28 wait mb"), "{crash_cell}");
    assert!(r.dom.contains("Step 9 of 9: transfer crashed at line 28, before: wait mb"));
    assert!(r.dom.contains("<div class=\"src-line cur\"><span class=\"ln\">28</span>"), "the crashed thread's line");
}

/// Issue #24: a POSIX model in POSIX words: the legend says OWNERDEAD (not ABANDONED), the
/// lock that returns OWNERDEAD leaves the mutex inconsistent (not "flag cleared"), every
/// row after it says so, and the unlock makes it not recoverable.
#[test]
fn a_posix_page_says_owner_died_inconsistent_and_not_recoverable() {
    let Some(r) = golden_page("posix_words", "posix_forgot_consistent", "") else { return };
    let legend = &r.dom[r.dom.find("id=\"legend\"").unwrap()..];
    let legend = &legend[..legend.find("</div>").unwrap()];
    assert!(legend.contains(">OWNERDEAD</span>") && legend.contains("inconsistent"), "{legend}");
    assert!(!legend.contains(">ABANDONED<") && !legend.contains("mutex abandoned"), "{legend}");
    assert!(!r.dom.contains("\u{b7} flag cleared<"));
    assert_eq!(r.owner_of_m(4), ("", "0", "true", "abandoned"));
    assert!(r.dom.contains("\u{26a0} owner worker[0] died"));
    assert_eq!(r.owner_of_m(5), ("worker[1]", "1", "false", "ownerdead"));
    assert!(r.dom.contains("\u{26a0} worker[1] \u{d7}1 \u{b7} inconsistent (OWNERDEAD)"));
    for k in 6..=9 {
        let (_, owner) = cell(&r.dom, &[("data-mutex", "m"), ("data-step", &k.to_string())]);
        assert!(owner.contains("worker[1] \u{d7}1 \u{b7} inconsistent"), "step {k}: {owner}");
    }
    assert_eq!(r.owner_of_m(10).3, "notrecoverable");
    assert!(r.dom.contains("\u{26a0} not recoverable"));
}

/// Issue #24: a lasso's page names the cycle in its violation line and its legend.
#[test]
fn a_lasso_page_names_the_cycle_in_the_violation_and_the_legend() {
    let Some(r) = golden_page("lasso", "livelock", "") else { return };
    assert!(r.dom.contains("Violation: the cycle of steps 3-14 repeats forever (livelock): "));
    assert!(!r.dom.contains("Violation at step 14"));
    assert!(r
        .dom
        .contains("<span class=\"swatch cycle-key\"></span><span class=\"lbl\">cycle: repeats forever</span>"));
    assert!(r.dom.contains("\u{26a0} the cycle of steps 3-14 repeats forever: "));
}
