//! Pretty-prints token streams with prettyplease, so no rustfmt binary is needed at build time.

use proc_macro2::TokenStream;

/// Formats one file; `header` lines go first, as `//` comments.
pub fn file(header: &str, tokens: TokenStream) -> Result<String, syn::Error> {
    let parsed: syn::File = syn::parse2(tokens)?;
    let mut out = String::new();
    for line in header.lines() {
        out.push_str("// ");
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&prettyplease::unparse(&parsed));
    Ok(out)
}

/// `text` (prettyplease's output, which puts no blank line anywhere) with a blank line between
/// consecutive items of the file, of an `impl`, a `trait` or a `mod`, as a person lays code out:
/// not between fields, variants or statements, and not inside a run of `use` and `mod x;`
/// lines. Lines are told apart by indentation (prettyplease indents by four spaces) and by how
/// they end; comments never end an item, and the text holds no multi-line string literal
/// (prettyplease escapes line breaks).
pub fn spaced(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let indent_of = |line: &str| line.len() - line.trim_start().len();
    let is_code = |line: &str| {
        let t = line.trim();
        !t.is_empty() && !t.starts_with("//") && !t.starts_with("#[") && !t.starts_with("#![")
    };
    // The first code line of the item starting at `i`, past its docs and attributes.
    let head = |i: usize| {
        lines[i..]
            .iter()
            .copied()
            .find(|l| is_code(l))
            .unwrap_or("")
    };
    // A line's code after its visibility.
    fn unqualified(line: &str) -> &str {
        let t = line.trim_start();
        ["pub(crate) ", "pub(super) ", "pub "]
            .iter()
            .find_map(|v| t.strip_prefix(v))
            .unwrap_or(t)
    }
    let grouped = |line: &str| {
        let t = unqualified(line);
        t.starts_with("use ") || (t.starts_with("mod ") && t.ends_with(';'))
    };
    let opens_container = |line: &str| {
        let t = unqualified(line);
        let t = t.strip_prefix("unsafe ").unwrap_or(t);
        t.starts_with("impl") || t.starts_with("trait ") || t.starts_with("mod ")
    };
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    // Blocks open at each indentation, and whether each holds items; the file holds items.
    let mut blocks: Vec<(usize, bool)> = Vec::new();
    // The line before, when it ended an item at its indentation: (indentation, was `use`/`mod x;`).
    let mut ended: Option<(usize, bool)> = None;
    for (i, line) in lines.iter().copied().enumerate() {
        let indent = indent_of(line);
        let trimmed = line.trim();
        let code = is_code(line);
        if code && trimmed.starts_with('}') {
            while blocks.last().is_some_and(|(at, _)| *at >= indent) {
                blocks.pop();
            }
        }
        let among_items = match blocks.last() {
            None => indent == 0,
            Some((at, holds_items)) => *holds_items && indent == at + 4,
        };
        if let Some((at, was_grouped)) = ended
            && !trimmed.is_empty()
            && !out.ends_with("\n\n")
            && at == indent
            && among_items
            && !trimmed.starts_with('}')
            && !(was_grouped && grouped(head(i)))
        {
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
        if !code {
            if !trimmed.is_empty() {
                ended = None;
            }
            continue;
        }
        if trimmed.ends_with('{') {
            blocks.push((indent, opens_container(line)));
            ended = None;
        } else {
            ended =
                (trimmed.ends_with('}') || trimmed.ends_with(';')).then(|| (indent, grouped(line)));
        }
    }
    out
}

/// One item of a file formatted in chunks ([`items`]).
#[derive(Default)]
pub struct Item {
    /// Formatted first, then wrapped whole in an invocation of the named macro
    /// (`name! {` … `}`, indented): a struct that a macro of the crate declares and implements.
    pub wrapped: Option<(&'static str, TokenStream)>,
    /// Formatted as they are.
    pub tokens: TokenStream,
    /// Verbatim text to follow (a macro invocation formatted by its emitter).
    pub after: String,
}

impl From<TokenStream> for Item {
    fn from(tokens: TokenStream) -> Self {
        Item {
            tokens,
            ..Item::default()
        }
    }
}

/// `tokens` formatted, inside `name! { … }`.
fn wrapped(name: &str, tokens: TokenStream) -> Result<String, syn::Error> {
    let inner = file("", tokens)?;
    let mut out = format!("{name}! {{\n");
    for line in inner.lines() {
        if !line.is_empty() {
            out.push_str("    ");
            out.push_str(line);
        }
        out.push('\n');
    }
    out.push_str("}\n");
    Ok(out)
}

/// `count` items formatted in chunks on every core and joined in item order, so the text does
/// not depend on the number of threads or on which finishes first. `emit(i)` gives item `i`
/// ([`Item`]); a chunk's tokens are formatted together, up to an item with text of its own.
/// Token streams cannot cross threads, so each thread emits the items it formats; and a
/// chunk's tokens are dropped before the next is built, so memory holds a few chunks, not the
/// whole file.
pub fn items<F>(count: usize, emit: F) -> Result<String, String>
where
    F: Fn(usize) -> Item + Sync,
{
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let size = count.div_ceil(threads * 8).clamp(16, 256);
    let chunks = count.div_ceil(size);
    let next = AtomicUsize::new(0);
    let format_chunk = |chunk: usize| -> Result<String, String> {
        let mut text = String::new();
        let mut pending = TokenStream::new();
        let flush = |pending: &mut TokenStream, text: &mut String| -> Result<(), String> {
            if !pending.is_empty() {
                text.push_str(&file("", std::mem::take(pending)).map_err(|e| e.to_string())?);
            }
            Ok(())
        };
        for i in chunk * size..((chunk + 1) * size).min(count) {
            let item = emit(i);
            if let Some((name, tokens)) = item.wrapped {
                flush(&mut pending, &mut text)?;
                text.push_str(&wrapped(name, tokens).map_err(|e| e.to_string())?);
            }
            pending.extend(item.tokens);
            if !item.after.is_empty() {
                flush(&mut pending, &mut text)?;
                text.push_str(&item.after);
            }
        }
        flush(&mut pending, &mut text)?;
        Ok(text)
    };
    let mut parts: Vec<(usize, Result<String, String>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.min(chunks))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let chunk = next.fetch_add(1, Ordering::Relaxed);
                        if chunk >= chunks {
                            return done;
                        }
                        done.push((chunk, format_chunk(chunk)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|_| vec![(0, Err("a formatting thread panicked".into()))])
            })
            .collect()
    });
    parts.sort_by_key(|(chunk, _)| *chunk);
    parts.into_iter().map(|(_, text)| text).collect()
}

#[cfg(test)]
mod tests {
    use quote::{format_ident, quote};

    /// Chunking is invisible: the items formatted in chunks read exactly as the whole file
    /// formatted at once, verbatim text in its place.
    #[test]
    fn items_in_chunks_read_as_one_file() {
        let item = |i: usize| {
            let name = format_ident!("item_{i}");
            quote!(
                /// An item.
                pub fn #name(x: u32) -> u32 { if x > 1 { x * 2 } else { x + #i } }
            )
        };
        let count = 700;
        let verbatim = |i: usize| {
            if i.is_multiple_of(97) {
                format!("// verbatim {i}\n")
            } else {
                String::new()
            }
        };
        let chunked = super::items(count, |i| super::Item {
            tokens: item(i),
            after: verbatim(i),
            ..super::Item::default()
        })
        .unwrap();
        let mut whole = String::new();
        for i in 0..count {
            whole.push_str(&super::file("", item(i)).unwrap());
            whole.push_str(&verbatim(i));
        }
        assert_eq!(chunked, whole);
        assert_eq!(super::items(0, |i| item(i).into()).unwrap(), "");
    }

    /// An item a macro declares is formatted as the item would be, then wrapped in the
    /// invocation, its lines indented (blank ones left empty), in its place among the rest.
    #[test]
    fn a_wrapped_item_sits_formatted_inside_its_invocation() {
        let declaration = || {
            quote!(
                /// A part.
                pub struct Part {
                    #[wire("id")]
                    pub id: i64,
                }
            )
        };
        let text = super::items(2, |i| match i {
            0 => super::Item {
                wrapped: Some(("support::object", declaration())),
                tokens: quote!(impl Part { pub fn id(&self) -> i64 { self.id } }),
                after: String::new(),
            },
            _ => quote!(
                pub fn last() {}
            )
            .into(),
        })
        .unwrap();
        let inner = super::file("", declaration()).unwrap();
        let indented: String = inner.lines().map(|l| format!("    {l}\n")).collect();
        let rest = super::file(
            "",
            quote!(impl Part { pub fn id(&self) -> i64 { self.id } } pub fn last() {}),
        )
        .unwrap();
        assert_eq!(text, format!("support::object! {{\n{indented}}}\n{rest}"));
        assert!(text.contains("    #[wire(\"id\")]\n"), "{text}");
    }

    /// Items of the file and of an impl get a blank line between them; fields, statements,
    /// doc lines, a run of `use` lines and the lines inside a macro invocation do not.
    #[test]
    fn blank_lines_separate_items_and_nothing_else() {
        let printed = "\
// header
use a;
#[allow(unused)]
use b;
/// A.
pub struct A {
    x: u8,
    y: u8,
}
impl A {
    /// New.
    pub fn new() -> Self {
        let x = 1;
        let y = 2;
        Self { x, y }
    }
    fn z(&self) {}
}
pub const C: &[u8] = &[
    1,
];
m! {
    pub struct B {}
    pub struct D {}
}
";
        let expected = "\
// header
use a;
#[allow(unused)]
use b;

/// A.
pub struct A {
    x: u8,
    y: u8,
}

impl A {
    /// New.
    pub fn new() -> Self {
        let x = 1;
        let y = 2;
        Self { x, y }
    }

    fn z(&self) {}
}

pub const C: &[u8] = &[
    1,
];

m! {
    pub struct B {}
    pub struct D {}
}
";
        assert_eq!(super::spaced(printed), expected);
        assert_eq!(
            super::spaced(expected),
            expected,
            "spacing twice changes nothing"
        );
    }
}
