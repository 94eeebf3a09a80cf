
// ---- Path templates -------------------------------------------------------------------------
// This part is shared word for word with the generator (`generator::paths`), so the router, the
// contract engine and `verify` match request paths in one way.

/// Matches a request path against a template such as `/users/{id}` or `/calls/{Sid}.json`.
///
/// Templates match whole segments; a parameter may share its segment with literal text
/// (a prefix, a suffix, or literals between parameters). Values are percent-decoded.
pub fn match_path<'t>(template: &'t str, path: &str) -> Option<Vec<(&'t str, String)>> {
    let mut wanted = template.split('/').filter(|s| !s.is_empty());
    let mut got = path.split('/').filter(|s| !s.is_empty());
    let mut params = Vec::new();
    loop {
        match (wanted.next(), got.next()) {
            (None, None) => return Some(params),
            (Some(w), Some(g)) => {
                if !w.contains('{') {
                    let same = if g.contains('%') { percent_decode(g)? == w } else { g == w };
                    if !same {
                        return None;
                    }
                    continue;
                }
                match_segment(w, g, &mut params)?;
            }
            _ => return None,
        }
    }
}

fn match_segment<'t>(mut template: &'t str, mut actual: &str, params: &mut Vec<(&'t str, String)>) -> Option<()> {
    loop {
        let Some(open) = template.find('{') else {
            return (percent_decode(actual)? == template).then_some(());
        };
        let literal = &template[..open];
        actual = actual.strip_prefix(literal)?;
        let close = open + template[open..].find('}')?;
        let name = &template[open + 1..close];
        template = &template[close + 1..];
        let next_literal = &template[..template.find('{').unwrap_or(template.len())];
        let end = if next_literal.is_empty() {
            if template.is_empty() { actual.len() } else { return None }
        } else if template.len() == next_literal.len() {
            // The last literal is a suffix.
            actual.len().checked_sub(next_literal.len()).filter(|&at| actual[at..] == *next_literal)?
        } else {
            actual.find(next_literal)?
        };
        if end == 0 {
            return None;
        }
        params.push((name, percent_decode(&actual[..end])?));
        actual = &actual[end..];
    }
}

/// How specific a template is, segment by segment (lower sorts first): literal segments outrank
/// segments mixing literals and parameters, which outrank bare parameters.
pub fn path_rank(template: &str) -> Vec<u8> {
    template
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| if !s.contains('{') { 0 } else if s.starts_with('{') && s.ends_with('}') && s.matches('{').count() == 1 { 2 } else { 1 })
        .collect()
}

fn percent_decode(text: &str) -> Option<String> {
    if !text.contains('%') {
        return Some(text.to_string());
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}
