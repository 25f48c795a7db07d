//! The size profile rows of the first-load section: where each entry's wasm
//! bytes go, read from what `cargo xtask dist` wrote (`target/size-profile/`,
//! cargo's output with its names, before wasm-bindgen and wasm-opt), beside
//! the one wasm the app was before it was split into entries
//! (`bench/size-baseline.tsv`, same profiler).

use std::collections::BTreeMap;
use std::path::Path;

use watchfloor_model::pages::Page;

use crate::stats::bytes;

/// How many owners of the dashboard's wasm the table shows.
const TOP: usize = 14;

fn read(path: &Path) -> Vec<(String, u64)> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .filter_map(|(owner, size)| Some((owner.to_string(), size.parse().ok()?)))
        .collect()
}

/// (what, Watchfloor, reference, ratio) rows.
pub fn rows(root: &Path) -> Vec<(String, String, String, String)> {
    let baseline = read(&root.join("bench/size-baseline.tsv"));
    let before: BTreeMap<&str, u64> = baseline.iter().map(|(o, s)| (o.as_str(), *s)).collect();
    let mut rows = Vec::new();
    for page in Page::ALL {
        let bin = page.bin();
        let top = if page == Page::Dashboard { TOP } else { 0 };
        let profile = read(&root.join(format!("target/size-profile/{bin}.tsv")));
        let Some(((_, total), owners)) = profile.split_first() else {
            rows.push((
                format!("`{bin}.wasm` size profile"),
                "not built".into(),
                String::new(),
                String::new(),
            ));
            continue;
        };
        let baseline_total = before.get("(total)").copied().unwrap_or(0);
        rows.push((
            format!("`{bin}.wasm` before wasm-bindgen/wasm-opt (names kept)"),
            bytes(*total),
            format!("one wasm before the split: {}", bytes(baseline_total)),
            crate::stats::ratio(*total as f64, baseline_total as f64),
        ));
        for (owner, size) in owners.iter().take(top) {
            let was = before.get(owner.as_str()).copied().unwrap_or(0);
            rows.push((
                format!("… `{owner}`"),
                format!(
                    "{} ({:.1}%)",
                    bytes(*size),
                    *size as f64 * 100.0 / *total as f64
                ),
                format!("before: {}", bytes(was)),
                crate::stats::ratio(*size as f64, was as f64),
            ));
        }
    }
    rows
}
