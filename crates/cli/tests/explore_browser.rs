//! `mutexcheck explore` in a real browser (issue #22): the binary serves the seed bug, and
//! headless Chromium loads a harness page of the test's own (served by the test on another
//! port; `--disable-web-security` lets it reach into the explore page's frame) that clicks
//! moves, undo, save and "back to the selected step" as a user would, waits for each answer
//! of the server, and logs what the page shows. The test reads the log from the DOM Chromium
//! dumps, and replays the saved trace through the binary.
//!
//! Chromium is required, as for the viewer's browser tests; `MUTEXCHECK_SKIP_BROWSER=1`
//! skips these when it is missing. `MUTEXCHECK_BLESS=1` also writes the page's screenshot to
//! `docs/images/explore.png` (the README shows it).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mutexcheck_checker::prepare;
use mutexcheck_checker::trace::{replay_run, TraceFile};

const BROWSER_DEADLINE: Duration = Duration::from_secs(120);

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = ["chromium", "chromium-browser"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file());
    if found.is_none() && std::env::var_os("MUTEXCHECK_SKIP_BROWSER").is_some_and(|v| v == "1") {
        let note = "MUTEXCHECK_SKIP_BROWSER=1: skipping a browser test of explore (no chromium on PATH)\n";
        let _ = std::io::stderr().write_all(note.as_bytes());
        return None;
    }
    Some(found.expect("no `chromium` on PATH: explore is tested in a real browser (or MUTEXCHECK_SKIP_BROWSER=1)"))
}

/// A running `mutexcheck explore`, stopped with Ctrl-C (SIGINT) when dropped.
struct Explorer {
    child: Child,
    port: u16,
}

impl Explorer {
    fn start(cwd: &Path, args: &[&str]) -> Explorer {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mutexcheck"))
            .current_dir(cwd)
            .arg("explore")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
        let port = line
            .split("port ")
            .nth(1)
            .and_then(|rest| rest.split(')').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in the first line: {line:?}"));
        assert!(line.contains(&format!("http://127.0.0.1:{port}/")), "{line}");
        Explorer { child, port }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Explorer {
    fn drop(&mut self) {
        unsafe { libc::kill(self.child.id() as i32, libc::SIGINT) };
        let _ = self.child.wait();
    }
}

/// Serves `html` to every request on a port of its own, on a thread that lives as long as
/// the test process; returns the page's address.
fn serve_harness(html: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{html}",
                html.len()
            );
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    format!("http://127.0.0.1:{port}/harness.html")
}

/// Headless Chromium on `url` at 1280×800 with `args`; waits for the page's timers and
/// fetches (virtual time) and returns stdout.
fn headless(browser: &Path, url: &str, profile: &Path, args: &[&str]) -> String {
    let mut child = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,800"])
        .args(["--disable-web-security", "--disable-site-isolation-trials", "--virtual-time-budget=60000"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
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
    assert!(status.success(), "chromium failed on {url}: {status}");
    reader.join().unwrap().unwrap()
}

/// The harness: loads the explore page in a frame, then carries out `plan` (a JSON array of
/// actions: `["move", text]`, `["undo"]`, `["save"]`, `["select", k]`, `["back"]`), each
/// after the page settled, and logs after each what the page shows.
fn harness(explore_url: &str, plan: &serde_json::Value) -> String {
    format!(
        r#"<!DOCTYPE html><html><body>
<iframe id="f" src="{explore_url}" style="width:1260px;height:760px"></iframe>
<pre id="log"></pre>
<script>
var plan = {plan}, log = [], at = 0;
function doc() {{ return document.getElementById('f').contentDocument; }}
function root() {{ return doc() && doc().getElementById('explore'); }}
function note(what) {{
  var r = root(), d = doc();
  log.push(what + ' -> ' + r.dataset.steps + ' ' + r.dataset.status + ' ' + r.dataset.moves + ' | ' +
    d.getElementById('status').textContent + ' | chart ' + d.getElementById('viewer').dataset.steps + ' steps | ' +
    d.getElementById('violation').textContent);
}}
function settle(version, then) {{
  var r = root();
  if (r && Number(r.dataset.version) > version) then(); else setTimeout(function () {{ settle(version, then); }}, 10);
}}
function next() {{
  if (at === plan.length) {{ document.getElementById('log').textContent = log.join('\n'); return; }}
  var a = plan[at++], d = doc(), r = root(), v = Number(r.dataset.version);
  if (a[0] === 'move') {{
    var b = Array.prototype.find.call(d.querySelectorAll('button[data-move]'), function (b) {{ return b.textContent === a[1]; }});
    if (!b) {{ log.push('no move button ' + a[1]); at = plan.length; return next(); }}
    b.click();
    return settle(v, function () {{ note('move ' + b.dataset.move + ' ' + a[1]); next(); }});
  }}
  if (a[0] === 'select') {{
    d.querySelector('.stepno[data-step="' + a[1] + '"]').click();
    log.push('select ' + a[1] + ' -> ' + d.getElementById('viewer').dataset.selectedStep);
    return next();
  }}
  d.getElementById(a[0]).click();
  settle(v, function () {{
    note(a[0]);
    if (a[0] === 'save') log.push('saved ' + r.dataset.saved);
    if (a[0] === 'back') log.push('moves: ' + Array.prototype.map.call(d.querySelectorAll('button[data-move]'), function (b) {{ return b.textContent; }}).join(' / ') + ' | path ' + r.dataset.path);
    next();
  }});
}}
window.addEventListener('load', function () {{ settle(0, function () {{ note('open'); next(); }}); }});
</script></body></html>"#
    )
}

/// Runs the harness on `explorer` with `plan` and returns its log, one entry a line.
fn play(browser: &Path, dir: &Path, explorer: &Explorer, plan: serde_json::Value) -> Vec<String> {
    let url = serve_harness(harness(&explorer.url(), &plan));
    let dom = headless(browser, &url, &dir.join("profile"), &["--dump-dom"]);
    let start = dom.find("<pre id=\"log\">").expect("the harness's log") + "<pre id=\"log\">".len();
    let log = dom[start..start + dom[start..].find("</pre>").unwrap()]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    log.lines().map(str::to_string).collect()
}

/// The step texts of the seed bug's golden trace: the labels of the buttons to click.
fn golden_moves() -> Vec<String> {
    let root = common::repo();
    let source = std::fs::read(root.join("models/seed_bug.mc")).unwrap();
    let system = prepare(mutexcheck_lang::compile("models/seed_bug.mc", &source).unwrap(), None).unwrap();
    let trace = TraceFile::parse(&std::fs::read(root.join("traces/seed_bug.json")).unwrap()).unwrap();
    replay_run(&system, &trace).steps.iter().map(|s| system.step_text(&s.step)).collect()
}

const VIOLATION: &str = "violation (leaked_ownership): worker[1] ended owning m (count 1)";

/// The shortest counterexample, clicked move by move, ends in the seed bug's violation;
/// saved, it replays through the binary (exit 1); undo takes back the last move.
#[test]
fn clicking_the_shortest_counterexample_shows_the_leak_and_saves_a_trace_that_replays() {
    let Some(browser) = chromium() else { return };
    let dir = common::scratch_with_models("explore-browser", "by_hand", &["seed_bug.mc"]);
    let explorer = Explorer::start(&dir, &["models/seed_bug.mc", "--port", "0"]);
    let moves = golden_moves();
    assert_eq!(moves.len(), 12);
    let mut plan: Vec<serde_json::Value> = moves.iter().map(|m| serde_json::json!(["move", m])).collect();
    plan.extend([serde_json::json!(["save"]), serde_json::json!(["undo"])]);
    let log = play(&browser, &dir, &explorer, serde_json::json!(plan));
    assert_eq!(log.len(), 1 + 12 + 2 + 1, "{log:#?}");
    assert_eq!(log[0], "open -> 0 running 4 | Initial state: pick the next move (4 enabled). | chart 0 steps | ");
    // Four moves at first: each worker's `while` and each worker's crash.
    assert!(log[1].starts_with("move 0 worker[0] line 21: while round < 2 [true] -> 1 running"), "{}", log[1]);
    // The crash at step 8 and the ABANDONED wait at step 9 were buttons of their own.
    assert!(log[8].starts_with("move ") && log[8].contains(" worker[0] crashed -> 8 running"), "{}", log[8]);
    assert!(log[9].contains("worker[1] line 22: let r = wait m timeout [ABANDONED (count 1)] -> 9 running"));
    let last = format!(
        "move 0 worker[1] line 21: while round < 2 [false] -> 12 violation 0 | \u{26a0} Step 12: {VIOLATION} | chart 12 steps | \u{26a0} Violation at step 12 (leaked_ownership): worker[1] ended owning m (count 1)"
    );
    assert_eq!(log[12], last);
    assert!(log[13].starts_with("save -> 12 violation 0"), "{}", log[13]);
    assert_eq!(log[14], "saved traces/seed_bug.explore.json");
    assert_eq!(log[15], "undo -> 11 running 1 | Step 11: pick the next move (1 enabled). | chart 11 steps | ");

    let saved = TraceFile::parse(&std::fs::read(dir.join("traces/seed_bug.explore.json")).unwrap()).unwrap();
    assert_eq!((saved.steps.len(), saved.violation.kind.as_str()), (12, "leaked_ownership"));
    let out = Command::new(env!("CARGO_BIN_EXE_mutexcheck"))
        .current_dir(&dir)
        .args(["replay", "traces/seed_bug.explore.json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("reproduced: violation (leaked_ownership) at step 12"), "{stdout}");
}

/// Started from the golden trace, the page is at its violation; going back to step 2 (both
/// workers at their wait) and letting the other waiter win branches off the trace's path.
#[test]
fn a_trace_opens_at_its_violation_and_branches_off_at_a_chosen_step() {
    let Some(browser) = chromium() else { return };
    let dir = common::scratch_with_models("explore-browser", "branch", &["seed_bug.mc"]);
    std::fs::create_dir_all(dir.join("traces")).unwrap();
    std::fs::copy(common::repo().join("traces/seed_bug.json"), dir.join("traces/seed_bug.json")).unwrap();
    let explorer = Explorer::start(&dir, &["models/seed_bug.mc", "--trace", "traces/seed_bug.json"]);
    let wait = |w: usize| format!("worker[{w}] line 22: let r = wait m timeout");
    let plan = serde_json::json!([["select", 2], ["back"], ["move", format!("{} [OK (count 1)]", wait(1))]]);
    let log = play(&browser, &dir, &explorer, plan);
    screenshot(&browser, &dir, &explorer);
    let opened = format!(
        "open -> 12 violation 0 | \u{26a0} Step 12: {VIOLATION} | chart 12 steps | \u{26a0} Violation at step 12 (leaked_ownership): worker[1] ended owning m (count 1)"
    );
    assert_eq!(log[0], opened);
    assert_eq!(log[1], "select 2 -> 2");
    assert_eq!(log[2], "back -> 2 running 4 | Step 2: pick the next move (4 enabled). | chart 2 steps | ");
    // Both workers are at their wait on the free m: either may take it (a wait on a free
    // mutex does not time out), or either process may crash. The trace's path so far is
    // the first move twice, then the second (worker[0]'s `while`, worker[1]'s `while`).
    let moves = format!(
        "moves: {} [OK (count 1)] / {} [OK (count 1)] / worker[0] crashed / worker[1] crashed | path 0,1",
        wait(0),
        wait(1)
    );
    assert_eq!(log[3], moves);
    // The trace had worker[0] win; here worker[1] does, and the run goes on from there.
    let branched = format!(
        "move 1 {} [OK (count 1)] -> 3 running 4 | Step 3: pick the next move (4 enabled). | chart 3 steps | ",
        wait(1)
    );
    assert_eq!(log[4], branched);
    assert_eq!(log.len(), 5, "{log:#?}");
}

/// The page as the server's run is now, kept as `target/explore.png` (and, with
/// `MUTEXCHECK_BLESS=1`, as `docs/images/explore.png`).
fn screenshot(browser: &Path, dir: &Path, explorer: &Explorer) {
    let png = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("explore.png");
    let _ = std::fs::remove_file(&png);
    let args = ["--hide-scrollbars", &format!("--screenshot={}", png.display())];
    headless(browser, &explorer.url(), &dir.join("shot-profile"), &args);
    let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", png.display()));
    assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000, "{} is not a screenshot", png.display());
    if std::env::var_os("MUTEXCHECK_BLESS").is_some_and(|v| v == "1") {
        let docs = common::repo().join("docs/images");
        std::fs::create_dir_all(&docs).unwrap();
        std::fs::write(docs.join("explore.png"), bytes).unwrap();
    }
}
