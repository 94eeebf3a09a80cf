//! The HTML report in a real browser: `verify --format html` on the `rejected` capture, opened
//! in headless Chromium (Debian's `chromium`; this test installs it with apt when it is missing
//! and it can, as `.ci/run` does). The page must be self-contained, render to a screenshot, and
//! hold the findings once the browser has parsed it.

use std::path::PathBuf;
use std::process::Command;

use super::root;

/// The browser: `SPECDRIFT_CHROMIUM`, else `chromium` on the PATH, installed first if need be.
fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("SPECDRIFT_CHROMIUM") {
        return PathBuf::from(path);
    }
    let found = || {
        Command::new("chromium")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !found() {
        let installed = Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", "chromium"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            installed && found(),
            "the HTML report test needs Chromium: `apt-get install chromium` (as .ci/run does), or SPECDRIFT_CHROMIUM=/path/to/chrome"
        );
    }
    PathBuf::from("chromium")
}

fn headless(browser: &PathBuf, args: &[&str]) -> std::process::Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
        ])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_html_report_renders_in_chromium_and_holds_the_findings() {
    let out = Command::new(env!("CARGO_BIN_EXE_specdrift"))
        .args([
            "verify",
            "--spec",
            "openapi.yaml",
            "--traffic",
            "contract-tests/tests/traffic/vivamo-rejected.json",
            "--format",
            "html",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "the capture drifts");
    let page = String::from_utf8(out.stdout).unwrap();
    // Self-contained: nothing for a browser to fetch.
    for fetch in ["<script", "<link", "src=", "url(", "@import"] {
        assert!(!page.contains(fetch), "the page fetches through `{fetch}`");
    }
    let dir = std::env::temp_dir().join(format!("specdrift-html-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("report.html");
    std::fs::write(&file, &page).unwrap();
    let url = format!("file://{}", file.display());

    let browser = chromium();
    let dom = headless(&browser, &["--dump-dom", &url]);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    for expected in [
        "getDisbursementIntentStatus",
        "schema-violation",
        "cross-operation-inconsistency",
        "\"rejected\"",
        "enum: [pending-validation, pending, success, failed]",
        "calls made",
        "→ 200, the answer that showed it",
    ] {
        assert!(
            dom.contains(&expected.replace('"', "&quot;")) || dom.contains(expected),
            "the rendered page lacks `{expected}`:\n{dom}"
        );
    }
    // One cause, shown once.
    assert_eq!(dom.matches("<article").count(), 1, "{dom}");

    let shot = dir.join("report.png");
    let _ = std::fs::remove_file(&shot);
    let screenshot = format!("--screenshot={}", shot.display());
    let taken = headless(&browser, &["--window-size=1280,1600", &screenshot, &url]);
    assert!(
        taken.status.success(),
        "{}",
        String::from_utf8_lossy(&taken.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(
        png.len() > 20_000,
        "a blank page is smaller: {} bytes",
        png.len()
    );
}
