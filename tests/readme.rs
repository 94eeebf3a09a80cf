//! The README's "Use it on your own API" section, run as written: every `specdrift` line of its
//! shell block and of its CI job's `run:` steps, on a corpus spec (petstore-expanded as
//! `api.yaml` and `v1.yaml`, a release of it with an operation removed as `v2.yaml`), against
//! `specdrift mock` where a line names a server. `cargo install --path .` is checked to name the
//! binary; the rest runs the built one.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{root, shared};

/// The section's text, from its heading to the next `## `.
fn section() -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("### Use it on your own API")
        .expect("the README has the section");
    let rest = &readme[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    rest[..end].to_string()
}

/// The command lines of the section: the shell block's lines and the YAML job's `run:` steps,
/// comments cut.
fn command_lines(section: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut block: Option<&str> = None;
    for line in section.lines() {
        if let Some(lang) = line.strip_prefix("```") {
            block = if block.is_some() { None } else { Some(lang) };
            continue;
        }
        let command = match block {
            Some("sh") => line.trim(),
            Some("yaml") => match line.trim().strip_prefix("- run: ") {
                Some(c) => c,
                None => continue,
            },
            _ => continue,
        };
        let command = match command.find("  #").or_else(|| command.find(" # ")) {
            Some(at) => command[..at].trim(),
            None => command,
        };
        if !command.is_empty() {
            out.push(command.to_string());
        }
    }
    out
}

/// Splits a command line as a POSIX shell would for these lines: words, double quotes, `$VAR`.
fn words(line: &str, env: &[(&str, &str)]) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any || !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                any = false;
            }
            c => word.push(c),
        }
    }
    if any || !word.is_empty() {
        out.push(word);
    }
    out.into_iter()
        .map(|w| {
            env.iter()
                .fold(w, |w, (name, value)| w.replace(&format!("${name}"), value))
        })
        .collect()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Background(Child);

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A HAR 1.2 file of the interactions in a VCR cassette, as a browser or proxy would export them.
fn har_of(cassette: &Path) -> String {
    let vcr: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(cassette).unwrap()).unwrap();
    let headers = |h: &serde_json::Value| -> Vec<serde_json::Value> {
        h.as_object()
            .into_iter()
            .flatten()
            .flat_map(|(k, vs)| {
                vs.as_array()
                    .into_iter()
                    .flatten()
                    .map(move |v| serde_json::json!({"name": k, "value": v}))
            })
            .collect()
    };
    let entries: Vec<serde_json::Value> = vcr["http_interactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let (req, res) = (&i["request"], &i["response"]);
            let mut request = serde_json::json!({
                "method": req["method"].as_str().unwrap().to_uppercase(),
                "url": req["uri"], "httpVersion": "HTTP/1.1",
                "headers": headers(&req["headers"]), "queryString": [], "cookies": [],
                "headersSize": -1, "bodySize": -1,
            });
            let body = req["body"]["string"].as_str().unwrap_or_default();
            if !body.is_empty() {
                request["postData"] = serde_json::json!({"mimeType": "application/json", "text": body});
            }
            serde_json::json!({
                "startedDateTime": "2026-12-02T10:00:00.000Z", "time": 1,
                "request": request,
                "response": {
                    "status": res["status"]["code"], "statusText": "", "httpVersion": "HTTP/1.1",
                    "headers": headers(&res["headers"]), "cookies": [],
                    "content": {"size": -1, "mimeType": "application/json", "text": res["body"]["string"]},
                    "redirectURL": "", "headersSize": -1, "bodySize": -1,
                },
                "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0},
            })
        })
        .collect();
    serde_json::json!({"log": {"version": "1.2", "creator": {"name": "readme test", "version": "1"}, "entries": entries}})
        .to_string()
}

#[test]
fn the_any_api_section_runs_as_written() {
    let section = section();
    let lines = command_lines(&section);
    assert!(lines.len() >= 8, "the section lost its commands: {lines:?}");
    let dir = std::env::temp_dir().join(format!("specdrift-readme-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let spec = shared().join("specs/oai-petstore-expanded/petstore-expanded.json");
    let text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(dir.join("api.yaml"), &text).unwrap();
    std::fs::write(dir.join("v1.yaml"), &text).unwrap();
    let mut v2: serde_json::Value = serde_json::from_str(&text).unwrap();
    v2["paths"]["/pets/{id}"]
        .as_object_mut()
        .unwrap()
        .remove("delete");
    std::fs::write(dir.join("v2.yaml"), v2.to_string()).unwrap();

    let port = free_port();
    let env = [("TOKEN", "token-from-the-environment")];
    let mut mock: Option<Background> = None;
    let mut ran = Vec::new();
    for line in &lines {
        let line = line
            .replace("localhost:8080", &format!("127.0.0.1:{port}"))
            .replace("127.0.0.1:8080", &format!("127.0.0.1:{port}"));
        let (line, background) = match line.strip_suffix('&') {
            Some(l) => (l.trim().to_string(), true),
            None => (line, false),
        };
        let (line, stdout_to) = match line.split_once(" > ") {
            Some((l, file)) => (l.to_string(), Some(dir.join(file.trim()))),
            None => (line, None),
        };
        let words = words(&line, &env);
        match words[0].as_str() {
            "cargo" => {
                // `cargo install --path .` installs the package's binary: it is named specdrift.
                if words.iter().any(|w| w == ".") {
                    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
                    assert!(
                        manifest.contains("[[bin]]\nname = \"specdrift\""),
                        "{manifest}"
                    );
                }
                continue;
            }
            "specdrift" => {}
            // The job's own steps (starting the user's server) are the mock's part here.
            _ => continue,
        }
        if words[1] == "verify" && !dir.join("capture.har").exists() {
            std::fs::write(dir.join("capture.har"), har_of(&dir.join("run.json"))).unwrap();
        }
        let mut command = Command::new(env!("CARGO_BIN_EXE_specdrift"));
        command.args(&words[1..]).current_dir(&dir);
        if background {
            let child = command
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            mock = Some(Background(child));
            let until = Instant::now() + Duration::from_secs(30);
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(Instant::now() < until, "`{line}` did not start listening");
                std::thread::sleep(Duration::from_millis(50));
            }
            ran.push(words[1].clone());
            continue;
        }
        let out = command.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code().unwrap_or(-1);
        if let Some(path) = stdout_to {
            std::fs::write(path, &stdout).unwrap();
        }
        let expected: &[i32] = match words[1].as_str() {
            // Findings are allowed (exit 1; the mock is not perfect), unusable input is not.
            "test" | "verify" => &[0, 1],
            // The v2 release removes an operation: breaking.
            "diff" => &[1],
            _ => &[0],
        };
        assert!(
            expected.contains(&code),
            "`{line}` exited {code}:\n{stdout}\n{stderr}"
        );
        ran.push(words[1].clone());
    }
    drop(mock);
    for sub in ["generate", "mock", "test", "verify", "diff"] {
        assert!(
            ran.iter().any(|r| r == sub),
            "no `specdrift {sub}` ran: {ran:?}"
        );
    }
    assert!(dir.join("my-api/src/client.rs").exists());
    let junit = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    assert!(
        junit.starts_with("<?xml") && junit.contains("<testsuite name=\"specdrift\""),
        "{junit}"
    );
    let recorded = std::fs::read_to_string(dir.join("run.json")).unwrap();
    assert!(recorded.contains("/pets"), "{recorded}");
    assert!(
        !recorded.contains("token-from-the-environment"),
        "the token is redacted"
    );
}
