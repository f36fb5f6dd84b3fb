//! `mutexcheck explore`'s server without a browser: it listens on 127.0.0.1 only, answers a
//! malformed or refused request with a 4xx and keeps serving, plays the same path for the
//! same posted moves, and stops cleanly on Ctrl-C.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

/// A running `mutexcheck explore` on the seed bug and its port.
struct Explorer {
    child: Child,
    port: u16,
}

fn start(test: &str, extra: &[&str]) -> Explorer {
    let dir = common::scratch_with_models("explore-server", test, &["seed_bug.mc"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_mutexcheck"))
        .current_dir(&dir)
        .args(["explore", "models/seed_bug.mc"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    let port = line.split("port ").nth(1).and_then(|r| r.split(')').next()).and_then(|p| p.parse().ok());
    let port = port.unwrap_or_else(|| panic!("no port in {line:?}"));
    Explorer { child, port }
}

impl Explorer {
    /// Sends `raw` bytes and returns the whole answer.
    fn raw(&self, raw: &[u8]) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.write_all(raw).unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    }

    /// `METHOD path` with the server's own Host; returns (status, body).
    fn request(&self, method: &str, path: &str) -> (u16, String) {
        let text = self.raw(
            format!(
                "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                self.port
            )
            .as_bytes(),
        );
        let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
        (status, body)
    }

    /// Ctrl-C (SIGINT); returns the exit code and what it printed after its first line.
    fn stop(mut self) -> (Option<i32>, String) {
        unsafe { libc::kill(self.child.id() as i32, libc::SIGINT) };
        let status = self.child.wait().unwrap();
        let mut rest = String::new();
        self.child.stdout.take().unwrap().read_to_string(&mut rest).unwrap();
        (status.code(), rest)
    }
}

/// A test that fails before `stop` leaves no server behind.
impl Drop for Explorer {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[test]
fn malformed_and_refused_requests_get_a_4xx_and_the_server_keeps_serving() {
    let e = start("malformed", &[]);
    assert!(e.raw(b"GARBAGE\r\n\r\n").starts_with("HTTP/1.1 400 "), "bytes that are not HTTP");
    assert_eq!(e.request("POST", "/api/move/x").0, 400, "a move that is not a number");
    assert_eq!(e.request("POST", "/api/move/99999999999999999999999").0, 400, "a number too large");
    assert_eq!(e.request("GET", "/nowhere").0, 404);
    assert_eq!(e.request("GET", "/api/move/0").0, 405, "a move is a POST");
    assert_eq!(e.request("DELETE", "/api/state").0, 405);
    let (status, body) = e.request("POST", "/api/move/4");
    assert_eq!((status, body.as_str()), (409, r#"{"error":"there is no move 4 here: 4 moves are enabled"}"#));
    assert_eq!(e.request("POST", "/api/undo").0, 409, "nothing to undo at the start");
    assert_eq!(e.request("POST", "/api/back/1").0, 409, "no step 1 yet");
    assert_eq!(e.request("POST", "/api/save").0, 409, "no violation, no trace");
    // Another site's page, or a name that resolves to 127.0.0.1 (DNS rebinding): refused.
    let foreign = format!(
        "POST /api/move/0 HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nOrigin: http://example.com\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        e.port
    );
    assert!(e.raw(foreign.as_bytes()).starts_with("HTTP/1.1 403 "));
    assert!(e
        .raw(b"GET /api/state HTTP/1.1\r\nHost: evil.example:80\r\nConnection: close\r\n\r\n")
        .starts_with("HTTP/1.1 403 "));
    // After all that, the run is still at its start and the server still plays.
    let (status, body) = e.request("POST", "/api/move/2");
    assert_eq!(status, 200);
    let state: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!((state["steps"].as_u64(), state["path"].to_string().as_str()), (Some(1), "[2]"));
    assert_eq!(state["view"]["steps"][0]["text"], "worker[0] crashed at line 21, before: while round < 2");
    let (code, out) = e.stop();
    assert_eq!((code, out.as_str()), (Some(0), "explore: stopped\n"), "Ctrl-C stops the server cleanly");
}

/// The server binds 127.0.0.1 and nothing else: the port is not open on 127.0.0.2 (another
/// loopback address, which a server on 0.0.0.0 would answer), and the kernel's table of
/// listening sockets shows it on 127.0.0.1 only.
#[test]
fn the_server_listens_on_127_0_0_1_only() {
    let e = start("loopback", &[]);
    assert!(TcpStream::connect(("127.0.0.2", e.port)).is_err(), "not listening on 127.0.0.2");
    let tcp = std::fs::read_to_string("/proc/net/tcp").unwrap()
        + &std::fs::read_to_string("/proc/net/tcp6").unwrap_or_default();
    let port = format!(":{:04X} ", e.port);
    // State 0A is LISTEN; 0100007F is 127.0.0.1 in the kernel's byte order.
    let listening: Vec<&str> = tcp
        .lines()
        .filter(|l| l.split_whitespace().nth(3) == Some("0A"))
        .filter_map(|l| l.split_whitespace().nth(1))
        .filter(|local| format!("{local} ").contains(&port))
        .collect();
    assert_eq!(listening, [format!("0100007F:{:04X}", e.port)]);
    assert_eq!(e.stop().0, Some(0));
}

/// The state is the moves posted, in order: the same moves give byte-identical states, and
/// a trace is played back to the same path.
#[test]
fn the_same_moves_give_the_same_state_and_a_trace_gives_its_path() {
    let (a, b) = (start("same_a", &[]), start("same_b", &[]));
    for e in [&a, &b] {
        for m in [0, 1, 0, 1] {
            assert_eq!(e.request("POST", &format!("/api/move/{m}")).0, 200);
        }
    }
    let (sa, sb) = (a.request("GET", "/api/state"), b.request("GET", "/api/state"));
    assert_eq!(sa, sb);
    a.stop();
    b.stop();
    // The golden trace is played to the end: 12 steps, the violation, no moves left.
    let dir = common::scratch_with_models("explore-server", "trace", &["seed_bug.mc"]);
    std::fs::create_dir_all(dir.join("traces")).unwrap();
    std::fs::copy(common::repo().join("traces/seed_bug.json"), dir.join("traces/seed_bug.json")).unwrap();
    let e = start("trace", &["--trace", &common::repo().join("traces/seed_bug.json").to_string_lossy()]);
    let state: serde_json::Value = serde_json::from_str(&e.request("GET", "/api/state").1).unwrap();
    assert_eq!(state["status"], "violation");
    assert_eq!(state["violation"]["kind"], "leaked_ownership");
    // Each step's index among the successors of the state before it, in their order
    // (threads by id, then crashes): worker[1] is 1 while worker[0] can move, worker[0]'s
    // crash at step 8 is 2 (after both threads' steps), and after it only worker[1] moves.
    assert_eq!(state["path"].to_string(), "[0,1,0,1,1,1,1,2,0,0,0,0]");
    assert_eq!(state["moves"].as_array().map(Vec::len), Some(0));
    e.stop();
}

#[test]
fn a_trace_of_another_model_is_refused_with_exit_2() {
    let dir = common::scratch_with_models("explore-server", "wrong_trace", &["seed_bug.mc", "lock_order_deadlock.mc"]);
    let trace = common::repo().join("traces/lock_order_deadlock.json");
    let out = Command::new(env!("CARGO_BIN_EXE_mutexcheck"))
        .current_dir(&dir)
        .args(["explore", "models/seed_bug.mc", "--trace", &trace.to_string_lossy()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("does not replay on this model"), "{stderr}");
}
