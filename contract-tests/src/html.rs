//! The HTML report: one self-contained file (inline CSS, no script, no fetch) to open in a
//! browser or attach to a pull request. A summary on top (operations covered, calls made,
//! findings by kind), then every cause grouped by operation: its facets, the spec excerpt at
//! the line it breaks, expected against observed, the shortest reproduction as a timeline with
//! the answer that showed it folded, and the curl line. It renders a [`Report`], whose text is
//! already redacted.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::report::{Finding, Kind, Report};

/// What the page says about the run beside the report itself.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The page's title (`verify openapi.yaml against run.har`).
    pub title: String,
    /// Operations called, of all the spec's (the engine knows; `verify` does not).
    pub covered: Option<(usize, usize)>,
}

fn esc(text: &str) -> String {
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

const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
header{background:#1d2330;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:20px;font-weight:600}
header p{margin:4px 0 0;color:#b8c0d0}
main{padding:20px 28px;max-width:1200px}
.summary{display:flex;gap:14px;flex-wrap:wrap;margin-bottom:18px}
.tile{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:10px 16px;min-width:120px}
.tile b{display:block;font-size:22px}
table.kinds{border-collapse:collapse;background:#fff;margin-bottom:22px}
table.kinds td,table.kinds th{border:1px solid #dde1e8;padding:4px 10px;text-align:left}
h2{font-size:16px;margin:26px 0 10px;font-family:ui-monospace,monospace}
.cause{background:#fff;border:1px solid #dde1e8;border-left:5px solid #c0392b;border-radius:6px;padding:12px 16px;margin-bottom:14px}
.cause.known{border-left-color:#7f8c8d}
.cause.note{border-left-color:#2980b9}
.tag{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;padding:1px 6px;border-radius:3px;background:#c0392b;color:#fff;margin-right:6px}
.known .tag{background:#7f8c8d}.note .tag{background:#2980b9}
.kind{display:inline-block;font-family:ui-monospace,monospace;font-size:12px;background:#eef1f5;border-radius:3px;padding:1px 6px;margin-right:4px}
.message{margin:8px 0}
table.diff{border-collapse:collapse;margin:8px 0}
table.diff th{text-align:left;padding:2px 12px 2px 0;color:#5b6475;font-weight:500;vertical-align:top}
table.diff td{font-family:ui-monospace,monospace;font-size:12.5px;word-break:break-all}
pre{background:#f7f8fa;border:1px solid #e3e6eb;border-radius:4px;padding:8px 10px;overflow-x:auto;font-size:12.5px;margin:6px 0}
pre .hit{background:#fdecea;display:block}
ol.timeline{margin:6px 0;padding-left:22px;font-family:ui-monospace,monospace;font-size:12.5px}
ol.timeline li{margin:2px 0;word-break:break-all}
details summary{cursor:pointer;color:#34495e}
.muted{color:#5b6475}
";

/// The whole page.
pub fn render(report: &Report, context: &Context) -> String {
    let causes = report.causes();
    let new = report.new_findings().count();
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>\n",
        esc(&context.title)
    );
    let _ = write!(
        out,
        "<header><h1>specdrift drift report</h1><p>{}</p></header>\n<main>\n",
        esc(&context.title)
    );
    out.push_str("<section class=\"summary\">");
    let mut tile = |label: &str, value: String| {
        let _ = write!(
            out,
            "<div class=\"tile\"><b>{}</b>{}</div>",
            esc(&value),
            esc(label)
        );
    };
    if let Some((called, all)) = context.covered {
        tile("operations covered", format!("{called} of {all}"));
    }
    tile("calls made", report.interactions.to_string());
    tile("causes", causes.len().to_string());
    tile("findings", report.findings.len().to_string());
    tile("new", new.to_string());
    tile("known", (report.findings.len() - new).to_string());
    tile("stale baseline entries", report.stale.len().to_string());
    out.push_str("</section>\n");

    let mut by_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for f in &report.findings {
        let e = by_kind.entry(f.kind.as_str()).or_default();
        if f.known {
            e.1 += 1;
        } else {
            e.0 += 1;
        }
    }
    if !by_kind.is_empty() {
        out.push_str(
            "<table class=\"kinds\"><tr><th>finding kind</th><th>new</th><th>known</th></tr>",
        );
        for kind in Kind::ALL {
            if let Some((n, k)) = by_kind.get(kind.as_str()) {
                let _ = write!(
                    out,
                    "<tr><td><span class=\"kind\">{}</span></td><td>{n}</td><td>{k}</td></tr>",
                    kind.as_str()
                );
            }
        }
        out.push_str("</table>\n");
    } else {
        out.push_str("<p>No finding: the traffic follows the spec.</p>\n");
    }

    let mut by_operation: BTreeMap<&str, Vec<&Vec<&Finding>>> = BTreeMap::new();
    for facets in &causes {
        by_operation
            .entry(facets[0].operation.as_str())
            .or_default()
            .push(facets);
    }
    // Operations with a new finding first, then the rest, each list alphabetical.
    let mut operations: Vec<(&str, Vec<&Vec<&Finding>>)> = by_operation.into_iter().collect();
    operations.sort_by_key(|(name, causes)| {
        let new = causes
            .iter()
            .flat_map(|c| c.iter())
            .any(|f| report.failing(f));
        (!new, *name)
    });
    if !operations.is_empty() {
        out.push_str("<nav><p class=\"muted\">operations: ");
        for (i, (name, causes)) in operations.iter().enumerate() {
            let _ = write!(
                out,
                "{}<a href=\"#{}\">{}</a> ({})",
                if i > 0 { ", " } else { "" },
                esc(name),
                esc(name),
                causes.len()
            );
        }
        out.push_str("</p></nav>\n");
    }
    let mut excerpts = Excerpts::default();
    for (operation, mut causes) in operations {
        // Within an operation: what fails the run first, then the causes with most facets.
        causes.sort_by_key(|c| {
            (
                !c.iter().any(|f| report.failing(f)),
                std::cmp::Reverse(c.len()),
            )
        });
        let _ = writeln!(out, "<h2 id=\"{}\">{}</h2>", esc(operation), esc(operation));
        for facets in causes {
            cause(&mut out, report, facets, &mut excerpts);
        }
    }
    if !report.stale.is_empty() {
        out.push_str("<h2>stale baseline entries</h2><ul>");
        for key in &report.stale {
            let _ = write!(
                out,
                "<li><code>{}</code> no longer reproduces</li>",
                esc(key)
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</main></body></html>\n");
    out
}

fn cause(out: &mut String, report: &Report, facets: &[&Finding], excerpts: &mut Excerpts) {
    let first = facets[0];
    let tag = report.tag(facets);
    let class = match tag {
        "NEW" => "new",
        "known" => "known",
        _ => "note",
    };
    let _ = write!(
        out,
        "<article class=\"cause {class}\"><span class=\"tag\">{tag}</span>"
    );
    for f in facets {
        let _ = write!(out, "<span class=\"kind\">{}</span>", f.kind.as_str());
    }
    let _ = write!(out, "<p class=\"message\">{}</p>", esc(&first.message));
    for f in &facets[1..] {
        let _ = write!(
            out,
            "<p class=\"message muted\">also <span class=\"kind\">{}</span> {}</p>",
            f.kind.as_str(),
            esc(&f.message)
        );
    }
    out.push_str("<table class=\"diff\">");
    if !first.pointer.is_empty() {
        let _ = write!(out, "<tr><th>at</th><td>{}</td></tr>", esc(&first.pointer));
    }
    let _ = write!(
        out,
        "<tr><th>expected</th><td>{}</td></tr><tr><th>observed</th><td>{}</td></tr>",
        esc(&first.expected),
        esc(&first.observed)
    );
    for related in facets.iter().filter_map(|f| f.related.as_ref()) {
        let _ = write!(out, "<tr><th>related</th><td>{}</td></tr>", esc(related));
    }
    let seen = facets.iter().map(|f| f.occurrences).max().unwrap_or(1);
    if seen > 1 {
        let _ = write!(out, "<tr><th>seen</th><td>{seen} times</td></tr>");
    }
    out.push_str("</table>");
    if let Some(location) = facets.iter().find_map(|f| f.spec_location.as_deref()) {
        let _ = write!(out, "<p class=\"muted\">spec: {}</p>", esc(location));
        if let Some(excerpt) = excerpts.at(location) {
            out.push_str(&excerpt);
        }
    }
    let shortest = facets
        .iter()
        .filter(|f| !f.reproduce.is_empty())
        .min_by_key(|f| f.reproduce.len())
        .copied()
        .unwrap_or(first);
    if !shortest.reproduce.is_empty() {
        let _ = write!(
            out,
            "<p class=\"muted\">shortest reproduction, {} call(s):</p><ol class=\"timeline\">",
            shortest.reproduce.len()
        );
        let last = shortest.reproduce.len() - 1;
        // One answer per call when the sequence is known; otherwise only the last is.
        let offset = shortest
            .reproduce
            .len()
            .saturating_sub(shortest.answers.len());
        for (i, call) in shortest.reproduce.iter().enumerate() {
            let _ = write!(out, "<li>{}", esc(call));
            let answer = i
                .checked_sub(offset)
                .and_then(|a| shortest.answers.get(a))
                .filter(|a| !a.is_empty());
            if let Some(answer) = answer {
                let status = answer.split(' ').next().unwrap_or_default();
                let _ = write!(
                    out,
                    "<details><summary>→ {}{}</summary><pre>{}</pre></details>",
                    esc(status),
                    if i == last {
                        ", the answer that showed it"
                    } else {
                        ""
                    },
                    esc(answer)
                );
            }
            out.push_str("</li>");
        }
        out.push_str("</ol>");
    }
    if !shortest.curl.is_empty() {
        let _ = write!(out, "<pre>{}</pre>", esc(&shortest.curl));
    }
    out.push_str("</article>\n");
}

/// Spec files read once, for excerpts around the line a finding names.
#[derive(Default)]
struct Excerpts {
    files: BTreeMap<String, Option<Vec<String>>>,
}

impl Excerpts {
    /// `file:line #pointer` → the lines around `line`, numbered, the line itself marked.
    fn at(&mut self, location: &str) -> Option<String> {
        let (place, _) = location.split_once(" #")?;
        let (file, line) = place.rsplit_once(':')?;
        let line: usize = line.parse().ok()?;
        let lines = self
            .files
            .entry(file.to_string())
            .or_insert_with(|| {
                std::fs::read_to_string(file)
                    .ok()
                    .map(|t| t.lines().map(str::to_string).collect())
            })
            .as_ref()?;
        if line == 0 || line > lines.len() {
            return None;
        }
        let from = line.saturating_sub(3).max(1);
        let to = (line + 6).min(lines.len());
        let mut out = String::from("<pre>");
        for n in from..=to {
            let text = crate::check::clip(&lines[n - 1], 200);
            if n == line {
                let _ = write!(out, "<span class=\"hit\">{n:>5}  {}</span>", esc(&text));
            } else {
                let _ = writeln!(out, "{n:>5}  {}", esc(&text));
            }
        }
        out.push_str("</pre>");
        Some(out)
    }
}
