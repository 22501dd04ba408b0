//! `scout serve` over a real socket: the same rankings as the CLI, the revision on every
//! answer, the guards (404, 413, 401), hot reload under requests, graceful shutdown; the
//! dashboard page, its data and the reload event stream.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{glowskin_toml, root, rules_fixture, save_rule, scout_in, GLOWSKIN_NICHES};

const BASIC: &str = "tests/fixtures/candidates/basic.csv";

/// How long any one step may take before the test fails.
const STEP: Duration = Duration::from_secs(20);

/// A running `scout serve` on a free port.
struct Server {
    child: Child,
    addr: SocketAddr,
    stderr: Receiver<String>,
}

impl Server {
    fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_scout"));
        command
            .args(["serve", "--rules", "rules", "--addr", "127.0.0.1:0", "--debounce", "50"])
            .args(args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env_remove("SCOUT_RULES")
            .env_remove("SCOUT_TOKEN")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("the scout binary runs");
        let (tx, stderr) = mpsc::channel();
        let pipe = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let line =
            stderr.recv_timeout(STEP).unwrap_or_else(|_| panic!("scout serve printed no address"));
        let addr = line
            .strip_prefix("listening on http://")
            .and_then(|rest| rest.split(' ').next())
            .unwrap_or_else(|| panic!("not an address line: {line}"))
            .parse()
            .unwrap();
        Self { child, addr, stderr }
    }

    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        request(self.addr, method, path, headers, body)
    }

    fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &[], b"")
    }

    fn rank_csv(&self, brand: &str, csv: &[u8]) -> Reply {
        self.request(
            "POST",
            &format!("/v1/brands/{brand}/rank"),
            &[("content-type", "text/csv")],
            csv,
        )
    }

    /// Polls `/v1/status` until `done` holds; fails after [`STEP`].
    fn wait_status(&self, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + STEP;
        loop {
            let status = self.get("/v1/status").json();
            if done(&status) {
                return status;
            }
            assert!(Instant::now() < deadline, "{what} did not happen: {status:#}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn terminate(&self) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    }

    /// Waits for the process to exit; gives its code and the rest of its stderr.
    fn wait(mut self) -> (i32, String) {
        let deadline = Instant::now() + STEP;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let rest: Vec<String> = self.stderr.try_iter().collect();
                return (status.code().unwrap_or(-1), rest.join("\n"));
            }
            assert!(Instant::now() < deadline, "scout serve did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP answer.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| panic!("{err}: {}", self.text()))
    }
}

/// Sends one request on a new connection and reads the whole answer.
fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(STEP)).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    // A server that refuses the body early may close before it is all sent.
    let _ = stream.write_all(body);
    read_reply(&mut stream)
}

fn read_reply(stream: &mut TcpStream) -> Reply {
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a whole HTTP head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers.iter().any(|(n, v)| n == "transfer-encoding" && v.contains("chunked")) {
        body = dechunk(&body);
    }
    Reply { status, headers, body }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 4 + size..];
    }
    out
}

fn basic_csv() -> Vec<u8> {
    std::fs::read(root().join(BASIC)).unwrap()
}

/// A fixture copy with the candidate list beside the rules.
fn fixture() -> tempfile::TempDir {
    let tmp = rules_fixture("one_brand");
    std::fs::copy(root().join(BASIC), tmp.path().join("basic.csv")).unwrap();
    tmp
}

#[test]
fn rank_answers_the_cli_document_with_its_revision() {
    let tmp = fixture();
    let server = Server::start(tmp.path(), &[], &[]);
    let reply = server.rank_csv("glowskin", &basic_csv());
    assert_eq!(reply.status, 200, "{}", reply.text());
    let served = reply.json();
    let cli = scout_in(
        tmp.path(),
        &["rank", "basic.csv", "--brand", "glowskin", "--rules", "rules", "--format", "json"],
        None,
    );
    let expected: Value = serde_json::from_str(&cli.stdout).unwrap();
    assert_eq!(served, expected);
    assert_eq!(reply.header("scout-revision"), expected["revision"].as_str());

    // `top`, CSV output, and a JSON body give the CLI's answers too.
    let top = server.request(
        "POST",
        "/v1/brands/glowskin/rank?top=2&format=csv",
        &[("content-type", "text/csv")],
        &basic_csv(),
    );
    let cli_top = scout_in(
        tmp.path(),
        &["rank", "basic.csv", "-b", "glowskin", "--rules", "rules", "--top", "2", "-f", "csv"],
        None,
    );
    assert_eq!((top.status, top.text()), (200, cli_top.stdout));
    let ndjson: String = expected["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{{\"handle\":{},\"followers\":{}}}\n", r["handle"], r["followers"]))
        .collect();
    let reply = server.request(
        "POST",
        "/v1/brands/glowskin/rank",
        &[("content-type", "application/x-ndjson")],
        ndjson.as_bytes(),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["counts"]["read"], expected["counts"]["ranked"]);

    // Explanations and plans are the CLI's JSON documents as well.
    let csv = [("content-type", "text/csv")];
    let reply = server.request(
        "POST",
        "/v1/brands/glowskin/explain?handle=@No_Price_Nia",
        &csv,
        &basic_csv(),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let cli = scout_in(
        tmp.path(),
        &[
            "explain",
            "no_price_nia",
            "basic.csv",
            "-b",
            "glowskin",
            "--rules",
            "rules",
            "-f",
            "json",
        ],
        None,
    );
    assert_eq!(reply.json(), serde_json::from_str::<Value>(&cli.stdout).unwrap());
    let reply = server.request(
        "POST",
        "/v1/brands/glowskin/explain?handle=no_prize_nia",
        &csv,
        &basic_csv(),
    );
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["error"]["hint"], "did you mean `no_price_nia`?");
    let reply = server.request("POST", "/v1/brands/glowskin/plan?budget=500", &csv, &basic_csv());
    assert_eq!(reply.status, 200, "{}", reply.text());
    let cli = scout_in(
        tmp.path(),
        &[
            "plan",
            "basic.csv",
            "-b",
            "glowskin",
            "--rules",
            "rules",
            "--budget",
            "500",
            "-f",
            "json",
        ],
        None,
    );
    assert_eq!(reply.json(), serde_json::from_str::<Value>(&cli.stdout).unwrap());

    // Every answer names the revision, errors and probes too.
    for path in ["/healthz", "/v1/brands", "/v1/status", "/metrics", "/nope"] {
        assert_eq!(server.get(path).header("scout-revision"), expected["revision"].as_str());
    }
    let brands = server.get("/v1/brands").json();
    assert_eq!(brands["brands"][0]["id"], "glowskin");
    assert_eq!(brands["brands"][0]["name"], "GlowSkin");
    let metrics = server.get("/metrics").text();
    let info =
        format!("scout_rules_info{{revision=\"{}\"}} 1", expected["revision"].as_str().unwrap());
    assert!(metrics.contains(&info), "{metrics}");
    assert!(
        metrics.contains(
            "scout_http_requests_total{route=\"/v1/brands/{brand}/rank\",status=\"200\"} 3"
        ),
        "{metrics}"
    );
}

#[test]
fn errors_have_one_shape_and_the_right_status() {
    let tmp = fixture();
    let server = Server::start(tmp.path(), &["--max-body", "4096"], &[]);
    let reply = server.rank_csv("glowskn", &basic_csv());
    assert_eq!(reply.status, 404);
    let error = &reply.json()["error"];
    assert_eq!(error["code"], "unknown_brand");
    assert_eq!(error["hint"], "did you mean `glowskin`?");

    // A body over the limit is refused from its length, before it is read.
    let big = vec![b'x'; 64 * 1024];
    let reply = server.rank_csv("glowskin", &big);
    assert_eq!(reply.status, 413, "{}", reply.text());
    assert_eq!(reply.json()["error"]["code"], "body_too_large");

    // No usable row: 400 with the row errors.
    let reply = server.rank_csv("glowskin", b"handle,followers\nx,lots\n");
    assert_eq!(reply.status, 400, "{}", reply.text());
    let error = &reply.json()["error"];
    assert_eq!(error["code"], "unusable_input");
    assert_eq!(error["details"][0]["line"], 2, "{error:#}");
    let reply = server.request(
        "POST",
        "/v1/brands/glowskin/rank",
        &[("content-type", "application/json")],
        b"[{\"handle\": ",
    );
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_eq!(reply.json()["error"]["code"], "unusable_input");

    let reply = server.request(
        "POST",
        "/v1/brands/glowskin/rank?mapping=../../etc/passwd",
        &[("content-type", "text/csv")],
        &basic_csv(),
    );
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"]["code"], "unknown_mapping");

    let reply = server.request("POST", "/v1/brands/glowskin/rank", &[], b"a,b\n");
    assert_eq!(reply.status, 415);
}

#[test]
fn a_token_protected_server_refuses_requests_without_it() {
    let tmp = fixture();
    std::fs::write(tmp.path().join("token"), "s3cret-token\n").unwrap();
    let server = Server::start(tmp.path(), &["--token-file", "token"], &[]);
    assert_eq!(server.get("/healthz").status, 200, "probes need no token");
    let reply = server.get("/v1/brands");
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json()["error"]["code"], "unauthorized");
    let wrong = server.request("GET", "/v1/brands", &[("authorization", "Bearer s3cret")], b"");
    assert_eq!(wrong.status, 401);
    let right =
        server.request("GET", "/v1/brands", &[("authorization", "Bearer s3cret-token")], b"");
    assert_eq!(right.status, 200, "{}", right.text());

    // From the environment too.
    let server = Server::start(tmp.path(), &[], &[("SCOUT_TOKEN", "from-env")]);
    assert_eq!(server.get("/v1/status").status, 401);
    let right = server.request("GET", "/v1/status", &[("authorization", "Bearer from-env")], b"");
    assert_eq!(right.status, 200);
}

#[test]
fn the_committed_openapi_document_is_the_generated_one() {
    let generated = scout::serve::openapi::document();
    let committed = std::fs::read_to_string(root().join("docs/openapi.json")).unwrap();
    assert!(
        committed == generated,
        "docs/openapi.json is stale: run `scout serve --print-openapi > docs/openapi.json`"
    );
    let doc: Value = serde_json::from_str(&generated).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for path in ["/v1/brands/{brand}/rank", "/v1/brands/{brand}/explain", "/v1/brands/{brand}/plan"]
    {
        assert!(paths.contains_key(path), "{path} is not described");
    }
    let tmp = fixture();
    let server = Server::start(tmp.path(), &[], &[]);
    assert_eq!(server.get("/v1/openapi.json").json(), doc);
}

#[test]
fn other_machines_need_a_token() {
    let tmp = fixture();
    let run = scout_in(tmp.path(), &["serve", "--rules", "rules", "--addr", "0.0.0.0:0"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no token is set"), "{}", run.stderr);
}

#[test]
fn reloads_show_within_seconds_and_a_broken_save_keeps_the_old_rules() {
    let tmp = fixture();
    let server = Server::start(tmp.path(), &[], &[]);
    let before = server.get("/v1/status").json();
    let first = before["revision"].as_str().unwrap().to_owned();
    assert_eq!(before["activations"], 0);

    // Requests keep flowing while the rules change.
    let addr = server.addr;
    let load = std::thread::spawn(move || {
        let csv = basic_csv();
        let mut revisions = Vec::new();
        for _ in 0..40 {
            let reply = request(
                addr,
                "POST",
                "/v1/brands/glowskin/rank",
                &[("content-type", "text/csv")],
                &csv,
            );
            assert_eq!(reply.status, 200, "{}", reply.text());
            let revision = reply.header("scout-revision").unwrap().to_owned();
            assert_eq!(reply.json()["revision"], revision.as_str(), "one snapshot per request");
            revisions.push(revision);
        }
        revisions
    });
    let weights =
        "engagement = 0.45\nniche_fit = 0.20\ncost_efficiency = 0.25\nauthenticity = 0.10\n";
    save_rule(&tmp, "brands/glowskin.toml", &glowskin_toml(GLOWSKIN_NICHES, weights));
    let after = server
        .wait_status("the reload", |s| s["revision"] != first.as_str() && s["activations"] == 1);
    let second = after["revision"].as_str().unwrap().to_owned();
    let revisions = load.join().unwrap();
    assert!(revisions.iter().all(|r| *r == first || *r == second), "{revisions:?}");
    let reply = server.rank_csv("glowskin", &basic_csv());
    assert_eq!(reply.header("scout-revision"), Some(second.as_str()));

    // A broken save is rejected; the last good rules keep serving.
    save_rule(&tmp, "brands/glowskin.toml", "name = \"GlowSkin\"\n[weights\n");
    let status = server.wait_status("the rejection", |s| s["rejections"] == 1);
    assert_eq!(status["revision"], second.as_str());
    let diagnostics = status["last_error"]["diagnostics"].as_array().unwrap();
    assert!(!diagnostics.is_empty(), "{status:#}");
    assert!(diagnostics[0]["path"].as_str().unwrap().contains("glowskin.toml"), "{status:#}");
    let reply = server.rank_csv("glowskin", &basic_csv());
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("scout-revision"), Some(second.as_str()));
    let metrics = server.get("/metrics").text();
    assert!(metrics.contains("scout_reload_rejections_total 1"), "{metrics}");
    assert!(metrics.contains("scout_reloads_total 1"), "{metrics}");
}

#[test]
fn sigterm_lets_the_request_in_flight_finish() {
    let tmp = fixture();
    let server = Server::start(tmp.path(), &[], &[]);
    let csv = basic_csv();
    let (start, rest) = csv.split_at(csv.len() / 2);
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream.set_read_timeout(Some(STEP)).unwrap();
    let head = format!(
        "POST /v1/brands/glowskin/rank HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: text/csv\r\ncontent-length: {}\r\n\r\n",
        csv.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(start).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    server.terminate();
    std::thread::sleep(Duration::from_millis(200));
    stream.write_all(rest).unwrap();
    let reply = read_reply(&mut stream);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["counts"]["read"].as_u64().map(|n| n > 0), Some(true));
    let addr = server.addr;
    let (code, stderr) = server.wait();
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("stopped serving"), "{stderr}");
    assert!(TcpStream::connect(addr).is_err(), "no new connections after shutdown");
}

/// Sends the head of a rank request and half its body, and leaves the rest unsent.
fn stalled_rank(addr: SocketAddr) -> TcpStream {
    let csv = basic_csv();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(STEP)).unwrap();
    let head = format!(
        "POST /v1/brands/glowskin/rank HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: text/csv\r\ncontent-length: {}\r\n\r\n",
        csv.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&csv[..csv.len() / 2]).unwrap();
    stream
}

/// Waits for the server to close `stream`: true if it did (end of file or a reset) within
/// `limit`, false if the stream was still open.
fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut rest = Vec::new();
    match stream.read_to_end(&mut rest) {
        Ok(_) => true,
        Err(err) => {
            !matches!(err.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)
        }
    }
}

#[test]
fn connections_that_never_finish_a_request_head_are_closed_after_the_timeout() {
    // Before, a client that sent half a request head, or nothing more after an answer, held
    // its connection (and a file descriptor) for as long as it liked: enough of them and
    // the server could accept nothing.
    let tmp = fixture();
    let server = Server::start(tmp.path(), &["--timeout", "2"], &[]);
    let mut partial = TcpStream::connect(server.addr).unwrap();
    partial.write_all(b"POST /v1/brands/glowskin/rank HTTP/1.1\r\nhost: x\r\ncontent-ty").unwrap();
    let mut idle = TcpStream::connect(server.addr).unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n").unwrap();
    idle.set_read_timeout(Some(STEP)).unwrap();
    let mut head = [0; 12];
    idle.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    let started = Instant::now();
    assert!(closed_within(&mut partial, STEP), "a half-sent request head is dropped");
    assert!(closed_within(&mut idle, STEP), "an idle keep-alive connection is dropped");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    // A slow but complete client is unaffected, and the server still answers.
    assert_eq!(server.get("/healthz").status, 200);
    assert_eq!(server.rank_csv("glowskin", &basic_csv()).status, 200);
}

#[test]
fn slow_requests_time_out_and_busy_slots_turn_requests_away() {
    let tmp = fixture();
    let server = Server::start(tmp.path(), &["--timeout", "3", "--concurrency", "1"], &[]);
    let mut slow = stalled_rank(server.addr);
    // The one slot is taken by the stalled request: the next one waits a second, then gets
    // 503.
    std::thread::sleep(Duration::from_millis(100));
    let busy = server.rank_csv("glowskin", &basic_csv());
    assert_eq!(busy.status, 503, "{}", busy.text());
    assert_eq!(busy.json()["error"]["code"], "busy");
    assert_eq!(busy.header("retry-after"), Some("1"));
    // Probes and metrics need no slot.
    assert_eq!(server.get("/readyz").status, 200);
    assert_eq!(server.get("/metrics").status, 200);
    let reply = read_reply(&mut slow);
    assert_eq!(reply.status, 504, "{}", reply.text());
    assert_eq!(reply.json()["error"]["code"], "timeout");
    // The slot is free again.
    assert_eq!(server.rank_csv("glowskin", &basic_csv()).status, 200);
}

#[test]
fn cors_is_off_unless_asked_for_and_an_empty_body_ranks_the_served_list() {
    let tmp = fixture();
    let server = Server::start(tmp.path(), &[], &[]);
    assert_eq!(server.get("/v1/brands").header("access-control-allow-origin"), None);
    let reply = server.rank_csv("glowskin", b"");
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"]["code"], "empty_body");

    let server = Server::start(
        tmp.path(),
        &["--cors", "https://app.example", "--candidates", "basic.csv"],
        &[],
    );
    let preflight = server.request("OPTIONS", "/v1/brands/glowskin/rank", &[], b"");
    assert_eq!(preflight.status, 204);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("https://app.example"));
    let reply = server.request("POST", "/v1/brands/glowskin/rank", &[], b"");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("access-control-allow-origin"), Some("https://app.example"));
    let direct = server.rank_csv("glowskin", &basic_csv());
    assert_eq!(reply.json(), direct.json());
}

/// An open `GET /v1/events` stream.
struct Events {
    stream: TcpStream,
    buffer: String,
}

impl Events {
    fn open(addr: SocketAddr, headers: &[(&str, &str)]) -> Self {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(STEP)).unwrap();
        let mut head = format!("GET /v1/events HTTP/1.1\r\nhost: {addr}\r\n");
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        Self { stream, buffer: String::new() }
    }

    /// The status line and headers.
    fn head(&mut self) -> String {
        while !self.buffer.contains("\r\n\r\n") {
            self.fill();
        }
        let end = self.buffer.find("\r\n\r\n").unwrap();
        let head = self.buffer[..end].to_owned();
        self.buffer.drain(..end + 4);
        head
    }

    fn fill(&mut self) -> usize {
        let mut chunk = [0u8; 8192];
        let n = self.stream.read(&mut chunk).expect("the event stream stalled");
        self.buffer.push_str(&String::from_utf8_lossy(&chunk[..n]));
        n
    }

    /// The data of the next event named `name`; other events are skipped.
    fn next(&mut self, name: &str) -> Value {
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let lines: Vec<&str> = block.lines().map(|l| l.trim_end_matches('\r')).collect();
                if lines.contains(&format!("event: {name}").as_str()) {
                    let data = lines.iter().find_map(|l| l.strip_prefix("data: ")).unwrap();
                    return serde_json::from_str(data).unwrap();
                }
            }
            assert!(self.fill() > 0, "the stream ended before a `{name}` event");
        }
    }

    /// Whether the server ends the stream (reads until it does, or fails after [`STEP`]).
    fn ends(&mut self) -> bool {
        let deadline = Instant::now() + STEP;
        while Instant::now() < deadline {
            match self.fill() {
                0 => return true,
                _ if self.buffer.ends_with("0\r\n\r\n") => return true,
                _ => {}
            }
        }
        false
    }
}

#[test]
fn the_dashboard_page_is_html_with_a_strict_policy_and_needs_no_token() {
    let tmp = fixture();
    let server =
        Server::start(tmp.path(), &["--candidates", "basic.csv"], &[("SCOUT_TOKEN", "s3cret")]);
    let page = server.get("/");
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    let csp = page.header("content-security-policy").expect("a CSP header");
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    let html = page.text();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("/dashboard.js"), "{html}");
    assert!(!html.contains("http://") && !html.contains("https://"), "nothing from elsewhere");
    assert_eq!(
        server.get("/dashboard.js").header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(
        server.get("/dashboard.css").header("content-type"),
        Some("text/css; charset=utf-8")
    );
    let script = server.get("/dashboard.js").text();
    assert!(!script.contains("innerHTML") && !script.contains("eval("), "data only as text");
    // The data needs the token, the event stream too.
    assert_eq!(server.get("/v1/brands/glowskin/dashboard").status, 401);
    let mut events = Events::open(server.addr, &[]);
    assert!(events.head().starts_with("HTTP/1.1 401"));
    let auth = [("authorization", "Bearer s3cret")];
    let reply = server.request("GET", "/v1/brands/glowskin/dashboard?top=3", &auth, b"");
    assert_eq!(reply.status, 200, "{}", reply.text());
    let doc = reply.json();
    // Identical requests share one answer: the list is ranked once.
    let again = server.request("GET", "/v1/brands/glowskin/dashboard?top=3", &auth, b"");
    assert_eq!(again.json(), doc);
    let metrics = server.request("GET", "/metrics", &auth, b"").text();
    let read = doc["counts"]["read"].as_u64().unwrap();
    assert!(metrics.contains(&format!("scout_rows_ranked_total {read}\n")), "{metrics}");
    let ranked = server
        .request(
            "POST",
            "/v1/brands/glowskin/rank?top=3",
            &[auth[0], ("content-type", "text/csv")],
            &basic_csv(),
        )
        .json();
    let handles = |rows: &Value| -> Vec<String> {
        rows.as_array().unwrap().iter().map(|r| r["handle"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(handles(&doc["ranking"]), handles(&ranked["results"]));
    assert_eq!(doc["counts"], ranked["counts"]);
    assert!(doc["charts"]["engagement"]
        .as_str()
        .unwrap()
        .starts_with("<svg class=\"chart scatter\""));
    assert!(doc["charts"]["scores"]
        .as_str()
        .unwrap()
        .starts_with("<svg class=\"chart histogram\""));
    assert_eq!(doc["changes"], Value::Null);
}

#[test]
fn the_dashboard_needs_a_candidate_list() {
    let tmp = fixture();
    let server = Server::start(tmp.path(), &[], &[]);
    let reply = server.get("/v1/brands/glowskin/dashboard");
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"]["code"], "no_candidates");
    assert_eq!(server.get("/v1/brands/glowskn/dashboard").status, 404);
}

#[test]
fn events_announce_each_reload_and_the_dashboard_shows_what_changed() {
    let tmp = fixture();
    let server = Server::start(tmp.path(), &["--candidates", "basic.csv"], &[]);
    let mut events = Events::open(server.addr, &[]);
    let head = events.head();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("content-type: text/event-stream"), "{head}");
    let hello = events.next("hello");
    let first = hello["revision"].as_str().unwrap().to_owned();
    assert_eq!(hello["error"], Value::Null);

    let weights =
        "engagement = 0.45\nniche_fit = 0.20\ncost_efficiency = 0.25\nauthenticity = 0.10\n";
    save_rule(&tmp, "brands/glowskin.toml", &glowskin_toml(GLOWSKIN_NICHES, weights));
    let activated = events.next("activated");
    let second = activated["revision"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    assert_eq!(activated["previous"], first.as_str());
    assert_eq!(activated["error"], Value::Null);

    let doc = server.get(&format!("/v1/brands/glowskin/dashboard?top=5&since={first}")).json();
    assert_eq!(doc["revision"], second.as_str());
    assert_eq!(doc["since"], "compared");
    let changes = &doc["changes"];
    assert_eq!(changes["from_revision"], first.as_str());
    assert_eq!(changes["to_revision"], second.as_str());
    assert_eq!(changes["top"], 5);
    assert!(!changes["movements"].as_array().unwrap().is_empty(), "{changes:#}");
    let unknown = server.get("/v1/brands/glowskin/dashboard?since=0123456789ab").json();
    assert_eq!((unknown["since"].as_str(), &unknown["changes"]), (Some("unknown"), &Value::Null));

    save_rule(&tmp, "brands/glowskin.toml", "name = \"GlowSkin\"\n[weights\n");
    let rejected = events.next("rejected");
    assert_eq!(rejected["revision"], second.as_str(), "the old revision keeps serving");
    let error = &rejected["error"];
    assert!(
        error["diagnostics"][0]["path"].as_str().unwrap().contains("glowskin.toml"),
        "{error:#}"
    );
    assert!(error["rendered"].as_str().unwrap().contains("[weights"), "{error:#}");
    // A late client learns of the failure from its first event.
    let mut late = Events::open(server.addr, &[]);
    let hello = late.next("hello");
    assert_eq!(hello["revision"], second.as_str());
    assert_eq!(hello["error"]["diagnostics"], error["diagnostics"]);

    save_rule(&tmp, "brands/glowskin.toml", &glowskin_toml(GLOWSKIN_NICHES, weights));
    let unchanged = events.next("unchanged");
    assert_eq!((&unchanged["recovered"], &unchanged["error"]), (&Value::Bool(true), &Value::Null));
}

#[test]
fn event_streams_are_capped_and_end_on_shutdown() {
    let tmp = fixture();
    let server = Server::start(tmp.path(), &[], &[]);
    let mut open: Vec<Events> = (0..scout::serve::events::MAX_CLIENTS)
        .map(|_| {
            let mut events = Events::open(server.addr, &[]);
            events.next("hello");
            events
        })
        .collect();
    let mut refused = Events::open(server.addr, &[]);
    let head = refused.head();
    assert!(head.starts_with("HTTP/1.1 503"), "{head}");
    while !refused.buffer.contains("too_many_streams") {
        assert!(refused.fill() > 0, "no error code: {}", refused.buffer);
    }
    drop(open.pop());
    let deadline = Instant::now() + STEP;
    let mut again = loop {
        let mut events = Events::open(server.addr, &[]);
        if events.head().starts_with("HTTP/1.1 200") {
            break events;
        }
        assert!(Instant::now() < deadline, "a closed stream's slot was never freed");
        std::thread::sleep(Duration::from_millis(50));
    };
    again.next("hello");
    server.terminate();
    assert!(again.ends(), "the stream outlived the shutdown");
    let (code, stderr) = server.wait();
    assert_eq!(code, 0, "{stderr}");
}
