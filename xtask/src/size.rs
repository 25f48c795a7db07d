//! Where the wasm's bytes go: a size profile of a module that still has its
//! `name` section (cargo's output, before wasm-bindgen and wasm-opt strip it),
//! for `cargo xtask size` and the first-load benchmark.
//!
//! Each function body's size is credited to an owner read off its demangled
//! name (the crate, and for Watchfloor's own code the feature folder), so the
//! profile says "serde_json 9%", not 6,400 lines of symbols. Data (string
//! constants, tables) is one item of its own.

use std::collections::BTreeMap;

/// The bytes of one module, by owner, largest first.
pub struct Profile {
    /// Code, data and the module's structure; custom sections left out.
    pub total: u64,
    pub owners: Vec<(String, u64)>,
    /// The largest functions, demangled, largest first.
    pub functions: Vec<(String, u64)>,
}

/// How many of the largest functions a profile keeps.
const FUNCTIONS: usize = 40;

/// Reads an unsigned LEB128 number at `*at`.
fn uleb(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    let mut shift = 0;
    loop {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

fn name<'a>(bytes: &'a [u8], at: &mut usize) -> Option<&'a str> {
    let len = uleb(bytes, at)? as usize;
    let text = bytes.get(*at..*at + len)?;
    *at += len;
    std::str::from_utf8(text).ok()
}

/// The owner of a function: `watchfloor::review` for the app's own code,
/// the crate otherwise (`<T as Trait>::f` counts for T's crate).
pub fn owner(symbol: &str) -> String {
    let demangled = format!("{:#}", rustc_demangle::demangle(symbol));
    // `<T as Trait>::f` with T a generic parameter or a primitive: the trait's crate.
    let demangled = match demangled
        .strip_prefix('<')
        .and_then(|rest| rest.split_once(" as "))
    {
        Some((ty, rest)) if !ty.contains("::") => rest.to_string(),
        _ => demangled,
    };
    let path = demangled.trim_start_matches('<').trim_start_matches('&');
    let path = path.trim_start_matches("mut ").trim_start_matches("dyn ");
    // A path segment's leading identifier (`tachys` of `tachys<…>`).
    let ident = |segment: &str| -> String {
        segment
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut segments = path.split("::");
    let krate = ident(segments.next().unwrap_or_default());
    if krate.is_empty() {
        return "(other)".to_string();
    }
    if krate == "watchfloor" {
        if let Some(module) = segments.next() {
            return format!("watchfloor::{}", ident(module));
        }
    }
    krate
}

/// Profiles the module at `bytes`.
pub fn profile(bytes: &[u8]) -> Option<Profile> {
    if bytes.get(..8)? != b"\0asm\x01\0\0\0" {
        return None;
    }
    let mut at = 8;
    let mut imported_functions = 0u64;
    let mut bodies: Vec<u64> = Vec::new();
    let mut names: BTreeMap<u64, String> = BTreeMap::new();
    let mut by_owner: BTreeMap<String, u64> = BTreeMap::new();
    while at < bytes.len() {
        let id = bytes[at];
        at += 1;
        let size = uleb(bytes, &mut at)? as usize;
        let start = at;
        let end = start.checked_add(size).filter(|end| *end <= bytes.len())?;
        let section = &bytes[start..end];
        let mut p = 0;
        match id {
            // Imports: the functions among them come first in the index space.
            2 => {
                let count = uleb(section, &mut p)?;
                for _ in 0..count {
                    name(section, &mut p)?;
                    name(section, &mut p)?;
                    let kind = *section.get(p)?;
                    p += 1;
                    match kind {
                        0 => {
                            uleb(section, &mut p)?;
                            imported_functions += 1;
                        }
                        1 => {
                            p += 1;
                            let flags = uleb(section, &mut p)?;
                            uleb(section, &mut p)?;
                            if flags & 1 == 1 {
                                uleb(section, &mut p)?;
                            }
                        }
                        2 => {
                            let flags = uleb(section, &mut p)?;
                            uleb(section, &mut p)?;
                            if flags & 1 == 1 {
                                uleb(section, &mut p)?;
                            }
                        }
                        3 => p += 2,
                        4 => {
                            p += 1;
                            uleb(section, &mut p)?;
                        }
                        _ => return None,
                    }
                }
            }
            10 => {
                let count = uleb(section, &mut p)?;
                for _ in 0..count {
                    let before = p;
                    let len = uleb(section, &mut p)?;
                    p += len as usize;
                    bodies.push((p - before) as u64);
                }
            }
            11 => {
                *by_owner
                    .entry("(data: strings, tables)".into())
                    .or_default() += size as u64
            }
            0 => {
                let title = name(section, &mut p)?;
                // Other custom sections (wasm-bindgen's descriptors, producers) never ship.
                if title == "name" {
                    while p < section.len() {
                        let sub = section[p];
                        p += 1;
                        let len = uleb(section, &mut p)? as usize;
                        let next = p + len;
                        if sub == 1 {
                            let count = uleb(section, &mut p)?;
                            for _ in 0..count {
                                let index = uleb(section, &mut p)?;
                                let symbol = name(section, &mut p)?;
                                names.insert(index, symbol.to_string());
                            }
                        }
                        p = next;
                    }
                }
            }
            // wasm-bindgen replaces the exports (its descriptors among them).
            7 => {}
            _ => {
                let what = match id {
                    1 => "(types)",
                    3 => "(function index)",
                    9 => "(element: function table)",
                    _ => "(other sections)",
                };
                *by_owner.entry(what.into()).or_default() += size as u64;
            }
        }
        at = end;
    }
    let mut functions = Vec::with_capacity(bodies.len());
    for (i, size) in bodies.iter().enumerate() {
        let index = imported_functions + i as u64;
        let symbol = names.get(&index);
        let who = symbol.map_or_else(|| "(unnamed)".to_string(), |symbol| owner(symbol));
        *by_owner.entry(who).or_default() += size;
        if let Some(symbol) = symbol {
            functions.push((format!("{:#}", rustc_demangle::demangle(symbol)), *size));
        }
    }
    functions.sort_by_key(|function| std::cmp::Reverse(function.1));
    functions.truncate(FUNCTIONS);
    // What ships: the module without its custom sections.
    let total = by_owner.values().sum::<u64>().max(1);
    let mut owners: Vec<(String, u64)> = by_owner.into_iter().collect();
    owners.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Some(Profile {
        total,
        owners,
        functions,
    })
}

/// Writes `profile` as `owner<TAB>bytes` lines, the total first, then
/// `fn<TAB>bytes<TAB>symbol` lines for the largest functions.
pub fn to_tsv(profile: &Profile) -> String {
    let mut text = format!("(total)\t{}\n", profile.total);
    for (owner, bytes) in &profile.owners {
        text.push_str(&format!("{owner}\t{bytes}\n"));
    }
    for (symbol, bytes) in &profile.functions {
        let symbol: String = symbol
            .chars()
            .filter(|c| *c != '\t' && *c != '\n')
            .take(200)
            .collect();
        text.push_str(&format!("fn\t{bytes}\t{symbol}\n"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_are_crates_or_app_features() {
        assert_eq!(owner("serde_json::de::from_str"), "serde_json");
        assert_eq!(
            owner("<watchfloor::review::Replay as core::ops::Drop>::drop"),
            "watchfloor::review"
        );
        assert_eq!(owner("_ZN4core3fmt5write17h0123456789abcdefE"), "core");
    }
}
