//! The local HTTP server of `mutexcheck explore`: one page and a small JSON API over one
//! [`Session`], on 127.0.0.1 only.
//!
//! - `GET /`: the page ([`crate::page`]);
//! - `GET /api/state`: the run on screen, its status and the enabled moves ([`StateView`]);
//! - `POST /api/move/N`: take move `N` (its index in the canonical successor order);
//! - `POST /api/undo`, `POST /api/back/N`: take back the last move, go back to step `N`;
//! - `POST /api/save`: write the run as a trace; answers `{"path": ...}`.
//!
//! Requests are served one at a time, in arrival order, so the session's path is the moves
//! posted in order. A request the server cannot carry out gets a 4xx with `{"error": ...}`
//! (tiny_http itself answers 400 to bytes that are not HTTP); nothing a client sends ends
//! the server. A request from another site (an `Origin` or `Host` that is not this server)
//! is refused, so a web page elsewhere cannot play or save.
//!
//! [`StateView`]: crate::session::StateView

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response};

use crate::session::{Refused, Session};

/// How often the serving loop looks at its stop flag while no request comes.
const POLL: Duration = Duration::from_millis(100);

/// A server bound to 127.0.0.1, not yet serving.
pub struct Server {
    http: tiny_http::Server,
    port: u16,
}

/// A response: status, content type and body.
struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
}

impl Reply {
    fn json(status: u16, value: &impl serde::Serialize) -> Reply {
        let body = serde_json::to_vec(value).expect("the state always serializes");
        Reply { status, content_type: "application/json", body }
    }

    fn error(status: u16, message: &str) -> Reply {
        Reply::json(status, &serde_json::json!({ "error": message }))
    }
}

impl Server {
    /// Binds 127.0.0.1:`port` (0: a free port the system picks). Loopback only: the page
    /// plays and saves, and must not be reachable from another machine.
    pub fn bind(port: u16) -> Result<Server, String> {
        let http = tiny_http::Server::http(("127.0.0.1", port))
            .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
        let port = http.server_addr().to_ip().map(|a| a.port()).unwrap_or(port);
        Ok(Server { http, port })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The page's address: `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Serves requests on `session` until `stop` is raised (Ctrl-C), then returns.
    pub fn serve(&self, session: &mut Session, stop: &AtomicBool) {
        let page = crate::page::html(session.system());
        while !stop.load(Ordering::Relaxed) {
            match self.http.recv_timeout(POLL) {
                Ok(Some(request)) => {
                    let reply = self.handle(&request, session, &page);
                    respond(request, reply);
                }
                Ok(None) => {}
                // A connection that failed before it was a request: nothing to answer.
                Err(e) => eprintln!("warning: explore: a connection failed: {e}"),
            }
        }
    }

    fn handle(&self, request: &Request, session: &mut Session, page: &str) -> Reply {
        if let Some(reason) = self.foreign(request) {
            return Reply::error(403, &reason);
        }
        let url = request.url();
        let path = url.split(['?', '#']).next().unwrap_or("");
        let post = *request.method() == Method::Post;
        let get = matches!(request.method(), Method::Get | Method::Head);
        let number = |prefix: &str| path.strip_prefix(prefix).map(|n| n.parse::<usize>());
        let done = |result: Result<(), Refused>, session: &Session| match result {
            Ok(()) => Reply::json(200, &session.view()),
            Err(Refused(message)) => Reply::error(409, &message),
        };
        match path {
            "/" | "/index.html" if get => {
                Reply { status: 200, content_type: "text/html; charset=utf-8", body: page.as_bytes().to_vec() }
            }
            "/api/state" if get => Reply::json(200, &session.view()),
            "/api/undo" if post => {
                let result = session.undo();
                done(result, session)
            }
            "/api/save" if post => match session.save() {
                Ok(path) => Reply::json(200, &serde_json::json!({ "path": path, "steps": session.view().steps })),
                Err(Refused(message)) => Reply::error(409, &message),
            },
            "/" | "/index.html" | "/api/state" | "/api/undo" | "/api/save" => {
                Reply::error(405, &format!("{} is not allowed on {path}", request.method()))
            }
            _ => {
                let (route, parsed) = match (number("/api/move/"), number("/api/back/")) {
                    (Some(n), _) => ("move", n),
                    (_, Some(n)) => ("back", n),
                    _ => return Reply::error(404, &format!("no such page: {path}")),
                };
                if !post {
                    return Reply::error(405, &format!("{} is not allowed on {path}", request.method()));
                }
                let Ok(n) = parsed else {
                    return Reply::error(400, &format!("`{path}`: the {route} is not a number"));
                };
                let result = if route == "move" { session.play(n) } else { session.back_to(n) };
                done(result, session)
            }
        }
    }

    /// Why a request comes from elsewhere than this server's own page, if it does: its
    /// `Host` is not this server (DNS rebinding), or its `Origin` is another site.
    fn foreign(&self, request: &Request) -> Option<String> {
        let ours = [format!("127.0.0.1:{}", self.port), format!("localhost:{}", self.port)];
        let header = |name: &str| {
            request
                .headers()
                .iter()
                .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
                .map(|h| h.value.as_str().to_string())
        };
        match header("Host") {
            Some(host) if ours.contains(&host) => {}
            Some(host) => return Some(format!("this server answers to 127.0.0.1:{} only, not to {host}", self.port)),
            None => return Some("a request without a Host header".into()),
        }
        match header("Origin") {
            Some(origin) if !ours.iter().any(|o| origin == format!("http://{o}")) => {
                Some(format!("a request from another site ({origin}) is refused"))
            }
            _ => None,
        }
    }
}

fn respond(request: Request, reply: Reply) {
    let mut response = Response::from_data(reply.body).with_status_code(reply.status);
    for (name, value) in [("Content-Type", reply.content_type), ("Cache-Control", "no-store")] {
        if let Ok(header) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(header);
        }
    }
    // The client may be gone already; nothing to do about it.
    let _ = request.respond(response);
}
